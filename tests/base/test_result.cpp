#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "base/result.h"

using rtcstack::base::Error;
using rtcstack::base::ErrorCode;
using rtcstack::base::make_error;
using rtcstack::base::Result;

namespace {

Result<int> parse_digit(char c) {
  if (c < '0' || c > '9') return make_error(ErrorCode::kMalformed, std::string("'") + c + "' is not a digit");
  return c - '0';
}

Result<void> check_positive(int n) {
  if (n <= 0) return make_error(ErrorCode::kInvalidArgument, "must be positive");
  return {};
}

}  // namespace

TEST_CASE("Result holds a value or a typed error", "[base][result]") {
  const auto seven = parse_digit('7');
  REQUIRE(seven.ok());
  CHECK(static_cast<bool>(seven));
  CHECK(*seven == 7);
  CHECK(seven.value_or(-1) == 7);

  const auto bad = parse_digit('x');
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::kMalformed);
  CHECK(bad.error().message == "'x' is not a digit");
  CHECK(bad.error().to_string() == "malformed: 'x' is not a digit");
  CHECK(bad.value_or(-1) == -1);
}

TEST_CASE("Result<void> reports success or the error", "[base][result]") {
  CHECK(check_positive(3).ok());
  const auto failed = check_positive(0);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error() == Error{ErrorCode::kInvalidArgument, "must be positive"});
}

TEST_CASE("Result moves move-only values out", "[base][result]") {
  Result<std::unique_ptr<int>> boxed(std::make_unique<int>(5));
  REQUIRE(boxed.ok());
  std::unique_ptr<int> owned = std::move(boxed).value();
  CHECK(*owned == 5);
}

TEST_CASE("every error code has a stable name", "[base][result]") {
  using rtcstack::base::to_string;
  CHECK(to_string(ErrorCode::kInvalidArgument) == "invalid_argument");
  CHECK(to_string(ErrorCode::kMalformed) == "malformed");
  CHECK(to_string(ErrorCode::kTruncated) == "truncated");
  CHECK(to_string(ErrorCode::kUnsupported) == "unsupported");
  CHECK(to_string(ErrorCode::kAuthentication) == "authentication");
  CHECK(to_string(ErrorCode::kWrongState) == "wrong_state");
  CHECK(to_string(ErrorCode::kResourceExhausted) == "resource_exhausted");
  CHECK(to_string(ErrorCode::kTimeout) == "timeout");
  CHECK(to_string(ErrorCode::kClosed) == "closed");
  CHECK(to_string(ErrorCode::kInternal) == "internal");
}

// Result<T>: a value or an Error, never both. rtcstack does not throw; parsers and API
// calls return Result so that bad input is an ordinary, cheap, checkable outcome.
// (std::expected is C++23; this is the subset we need, with the same spirit.)
#pragma once

#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "base/error.h"

namespace rtcstack::base {

/// Called when code reads the value of a failed Result or the error of a successful
/// one: a programming error, so it prints the error and aborts.
[[noreturn]] void result_contract_violation(const char* what, const Error* error);

template <class T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::remove_cv_t<T>, Error>, "Result<Error> is ambiguous");

 public:
  using value_type = T;

  Result(const T& value) : state_(std::in_place_index<0>, value) {}
  Result(T&& value) : state_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { check_value(); return *std::get_if<0>(&state_); }
  const T& value() const& { check_value(); return *std::get_if<0>(&state_); }
  T&& value() && { check_value(); return std::move(*std::get_if<0>(&state_)); }

  const Error& error() const {
    if (ok()) result_contract_violation("error() of a successful Result", nullptr);
    return *std::get_if<1>(&state_);
  }

  template <class U>
  T value_or(U&& fallback) const& {
    return ok() ? *std::get_if<0>(&state_) : static_cast<T>(std::forward<U>(fallback));
  }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  void check_value() const {
    if (!ok()) result_contract_violation("value() of a failed Result", std::get_if<1>(&state_));
  }

  std::variant<T, Error> state_;
};

/// Result of an operation that returns nothing on success.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }

  const Error& error() const {
    if (ok()) result_contract_violation("error() of a successful Result", nullptr);
    return *error_;
  }

 private:
  std::optional<Error> error_;
};

/// Shorthand for building the error side: `return make_error(ErrorCode::kMalformed, "...");`
inline Error make_error(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

}  // namespace rtcstack::base

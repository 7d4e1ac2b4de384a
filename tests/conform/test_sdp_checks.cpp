// rtc-conform's SDP checks on real answers (Chromium's, tests/data/sdp) and on those answers
// broken on purpose, one fault each: every check is shown passing on the real answer and
// failing, alone, on its fault - with evidence that names what was wrong.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "pcapng.h"
#include "report.h"
#include "sdp_checks.h"

using namespace rtcstack;
using namespace rtcstack::conform;

namespace {

std::string load(const std::string& name) {
  std::ifstream file(testing::test_data_path("sdp/" + name));
  REQUIRE(file);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::map<std::string, Verdict> verdicts(const Results& results) {
  std::map<std::string, Verdict> out;
  for (const CheckResult& check : results) out[check.name] = check.verdict;
  return out;
}

// `text` with its first `from` replaced by `to`; every one of them with `all`.
std::string replaced(std::string text, const std::string& from, const std::string& to, bool all = false) {
  std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  do {
    text.replace(at, from.size(), to);
    at = text.find(from, at + to.size());
  } while (all && at != std::string::npos);
  return text;
}

// `text` without the lines that begin with `prefix`.
std::string without(const std::string& text, const std::string& prefix) {
  std::string kept;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with(prefix)) kept += line + "\n";
  }
  return kept;
}

}  // namespace

TEST_CASE("Chromium's answers pass every SDP check that applies", "[conform]") {
  for (const char* type : {"0", "1", "2", "3"}) {
    CAPTURE(type);
    const auto results = check_answer(load(std::string("chromium-offer-") + type + ".sdp"),
                                      load(std::string("chromium-answer-") + type + ".sdp"));
    REQUIRE(results.size() == 10);
    for (const CheckResult& check : results) {
      CAPTURE(check.name, check.evidence);
      CHECK(check.verdict != Verdict::kFail);
    }
  }
  const auto media = verdicts(check_answer(load("chromium-offer-2.sdp"), load("chromium-answer-2.sdp")));
  CHECK(media.at("jsep.rtcp-mux") == Verdict::kPass);
  CHECK(media.at("dtls.setup-answer") == Verdict::kPass);
  CHECK(media.at("sctp.port") == Verdict::kNotApplicable);  // no data section
  CHECK(media.at("ice.lite") == Verdict::kNotApplicable);
  CHECK(verdicts(check_answer(load("chromium-offer-1.sdp"), load("chromium-answer-1.sdp"))).at("sctp.port") == Verdict::kPass);
}

TEST_CASE("each SDP check fails alone on an answer broken for it, saying what it saw", "[conform]") {
  struct Fault {
    const char* check;
    const char* type;  // which recorded exchange
    std::string (*apply)(const std::string& answer);
    const char* evidence;
  };
  const Fault faults[] = {
      {"sdp.parses", "2", [](const std::string& a) { return replaced(a, "a=setup:active", "a=setup:sideways"); }, "setup"},
      {"jsep.mids", "2",
       [](const std::string& a) { return replaced(replaced(a, "a=mid:0", "a=mid:9"), "BUNDLE 0 1", "BUNDLE 9 1"); },
       "offered mid 0"},
      {"bundle.group", "2", [](const std::string& a) { return without(a, "a=group:BUNDLE"); }, "no a=group:BUNDLE"},
      {"jsep.rtcp-mux", "2", [](const std::string& a) { return without(a, "a=rtcp-mux"); }, "has no a=rtcp-mux"},
      {"dtls.setup-answer", "2", [](const std::string& a) { return replaced(a, "a=setup:active", "a=setup:actpass", true); },
       "a=setup:actpass"},
      {"dtls.fingerprint", "2",
       [](const std::string& a) {
         std::string out = a;
         const std::size_t at = out.find("a=fingerprint:sha-256 ") + 22;
         for (std::size_t i = at; out[i] != '\r' && out[i] != '\n'; ++i) out[i] = static_cast<char>(std::tolower(out[i]));
         return out;
       },
       "upper-case hex"},
      {"ice.credentials", "2", [](const std::string& a) { return without(a, "a=ice-pwd"); }, "has no a=ice-pwd"},
      {"ice.candidates", "2", [](const std::string& a) { return without(a, "a=candidate:"); }, "no a=candidate"},
      {"ice.candidates", "2", [](const std::string& a) { return replaced(a, " 1 udp ", " 2 udp "); }, "of component 2"},
      {"ice.lite", "2", [](const std::string& a) { return replaced(a, "a=rtcp-mux", "a=ice-lite\r\na=rtcp-mux"); },
       "has a=ice-lite"},
      {"sctp.port", "1", [](const std::string& a) { return without(a, "a=sctp-port"); }, "has no a=sctp-port"},
  };
  for (const Fault& fault : faults) {
    CAPTURE(fault.check);
    const std::string offer = load(std::string("chromium-offer-") + fault.type + ".sdp");
    const std::string answer = load(std::string("chromium-answer-") + fault.type + ".sdp");
    const auto before = verdicts(check_answer(offer, answer));
    const auto results = check_answer(offer, fault.apply(answer));
    for (const CheckResult& check : results) {
      CAPTURE(check.name, check.evidence);
      if (check.name == fault.check) {
        CHECK(check.verdict == Verdict::kFail);
        CHECK_THAT(check.evidence, Catch::Contains(fault.evidence));
      } else {
        CHECK(check.verdict == before.at(check.name));
      }
    }
  }
}

TEST_CASE("reports: table, JSON and JUnit XML of the same results; --only and --skip", "[conform]") {
  const Results results = {{"dtls.setup-answer", "RFC 8842 §5.3", "setup", Verdict::kFail, "a=setup:actpass <&>"},
                           {"sctp.port", "RFC 8841 §5", "port", Verdict::kPass, ""},
                           {"ice.lite", "RFC 8839 §5.3", "lite", Verdict::kNotApplicable, ""}};
  const std::string text = table(results);
  CHECK_THAT(text, Catch::Contains("fail dtls.setup-answer"));
  CHECK_THAT(text, Catch::Contains("a=setup:actpass <&>"));
  CHECK_THAT(text, Catch::EndsWith("1 passed, 1 failed, 1 not applicable\n"));
  const std::string j = json(results, "http://x/offer");
  CHECK_THAT(j, Catch::Contains("\"verdict\": \"fail\""));
  CHECK_THAT(j, Catch::Contains("\"failed\": 1"));
  const std::string xml = junit(results, "http://x/offer");
  CHECK_THAT(xml, Catch::Contains("tests=\"3\" failures=\"1\" skipped=\"1\""));
  CHECK_THAT(xml, Catch::Contains("<failure message=\"setup\">a=setup:actpass &lt;&amp;&gt;</failure>"));
  CHECK_THAT(xml, Catch::Contains("<testcase classname=\"RFC 8841 §5\" name=\"sctp.port\"/>"));

  CHECK(selected(results[0], {}, {}));
  CHECK(selected(results[0], {"dtls."}, {}));
  CHECK(selected(results[0], {"RFC 8842"}, {}));
  CHECK_FALSE(selected(results[0], {"RFC 884"}, {}));
  CHECK_FALSE(selected(results[0], {}, {"dtls.setup-answer"}));
  CHECK_FALSE(selected(results[1], {"dtls."}, {}));
  CHECK_FALSE(selected(results[1], {}, {"RFC 8841"}));
}

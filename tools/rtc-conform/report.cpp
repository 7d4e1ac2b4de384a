#include "report.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace rtcstack::conform {
namespace {

std::size_t count(const Results& results, Verdict verdict) {
  return static_cast<std::size_t>(
      std::count_if(results.begin(), results.end(), [&](const CheckResult& r) { return r.verdict == verdict; }));
}

bool matches(const CheckResult& check, const std::string& selector) {
  if (selector == check.name) return true;
  if (!selector.empty() && selector.back() == '.' && check.name.starts_with(selector)) return true;
  // "RFC 8842" matches "RFC 8842 §5.3" and "RFC 8829 §5.3.1, RFC 8842 ...", not "RFC 88421".
  for (std::size_t at = check.clause.find(selector); at != std::string::npos; at = check.clause.find(selector, at + 1)) {
    const std::size_t end = at + selector.size();
    if (selector.starts_with("RFC ") && (end == check.clause.size() || check.clause[end] == ' ' || check.clause[end] == ',')) return true;
  }
  return false;
}

std::string xml_escaped(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        // XML 1.0 has no place for other control characters.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace

bool selected(const CheckResult& check, const std::vector<std::string>& only, const std::vector<std::string>& skip) {
  const auto named = [&](const std::vector<std::string>& selectors) {
    return std::any_of(selectors.begin(), selectors.end(), [&](const std::string& s) { return matches(check, s); });
  };
  return (only.empty() || named(only)) && !named(skip);
}

std::string table(const Results& results) {
  std::string out;
  for (const CheckResult& check : results) {
    std::string verdict(to_string(check.verdict));
    verdict.resize(5, ' ');
    std::string name = check.name;
    if (name.size() < 20) name.resize(20, ' ');
    out += verdict + name + " " + check.clause + ": " + check.title + "\n";
    if (!check.evidence.empty()) out += "       " + check.evidence + "\n";
  }
  out += std::to_string(count(results, Verdict::kPass)) + " passed, " + std::to_string(count(results, Verdict::kFail)) +
         " failed, " + std::to_string(count(results, Verdict::kNotApplicable)) + " not applicable\n";
  return out;
}

std::string json(const Results& results, const std::string& endpoint) {
  nlohmann::json checks = nlohmann::json::array();
  for (const CheckResult& check : results) {
    checks.push_back({{"name", check.name},
                      {"clause", check.clause},
                      {"title", check.title},
                      {"verdict", std::string(to_string(check.verdict))},
                      {"evidence", check.evidence}});
  }
  const nlohmann::json report = {{"endpoint", endpoint},
                                 {"checks", checks},
                                 {"passed", count(results, Verdict::kPass)},
                                 {"failed", count(results, Verdict::kFail)},
                                 {"not_applicable", count(results, Verdict::kNotApplicable)}};
  // Evidence may hold bytes that are not UTF-8 (an endpoint's SDP): replaced, not thrown.
  return report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string junit(const Results& results, const std::string& endpoint) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuite name=\"rtc-conform " + xml_escaped(endpoint) + "\" tests=\"" + std::to_string(results.size()) +
         "\" failures=\"" + std::to_string(count(results, Verdict::kFail)) + "\" skipped=\"" +
         std::to_string(count(results, Verdict::kNotApplicable)) + "\">\n";
  for (const CheckResult& check : results) {
    out += "  <testcase classname=\"" + xml_escaped(check.clause) + "\" name=\"" + xml_escaped(check.name) + "\"";
    if (check.verdict == Verdict::kPass) {
      out += "/>\n";
      continue;
    }
    out += ">\n";
    if (check.verdict == Verdict::kFail) {
      out += "    <failure message=\"" + xml_escaped(check.title) + "\">" + xml_escaped(check.evidence) + "</failure>\n";
    } else {
      out += "    <skipped message=\"not applicable\"/>\n";
    }
    out += "  </testcase>\n";
  }
  out += "</testsuite>\n";
  return out;
}

}  // namespace rtcstack::conform

// Reports of rtc-conform's results: a table for people, JSON for programs, JUnit XML for
// another project's CI (each check a test case, a failure with its evidence), and the
// --only / --skip selection by check name, name prefix ("dtls.") or RFC ("RFC 8842").
#pragma once

#include <string>
#include <vector>

#include "check.h"

namespace rtcstack::conform {

/// Whether `check` is selected: named by `only` (when it names anything) and by nothing in
/// `skip`. A selector matches a check's name, a prefix of it ending in '.', or its clause's
/// RFC ("RFC 8842").
bool selected(const CheckResult& check, const std::vector<std::string>& only, const std::vector<std::string>& skip);

/// One line per check: verdict, name, clause, title, and the evidence below a failure;
/// then "N passed, N failed, N not applicable".
std::string table(const Results& results);
/// {"endpoint": ..., "checks": [{"name", "clause", "title", "verdict", "evidence"}], "passed": N, "failed": N}
std::string json(const Results& results, const std::string& endpoint);
/// A <testsuite> of one <testcase> per check: failures carry the evidence, checks that do
/// not apply are <skipped/>.
std::string junit(const Results& results, const std::string& endpoint);

}  // namespace rtcstack::conform

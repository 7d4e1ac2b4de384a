#!/usr/bin/env python3
"""Adds up test cases from meson's testlog.json files.

A Catch2 program reports its own count with a line "rtcstack-summary: passed=P failed=F"
(tests/support/catch_main.cpp); it counts as P + F test cases, plus one failure if the
process still failed (a sanitizer report at exit, a crash after the last case). Every
other meson test (script tests, fuzz smoke runs) counts as one test case.

Usage: count_results.py TESTLOG.json...         -> prints "PASSED FAILED SKIPPED"
       count_results.py --show TESTLOG.json  -> one line per test: result and evidence
"""
import json
import re
import sys

SUMMARY = re.compile(r"rtcstack-summary: passed=(\d+) failed=(\d+)")
# Lines that show what a test actually did (fuzz runs, sanitizer canaries, script tests).
EVIDENCE = re.compile(r"(Done \d+ runs in \d+ second.*|rtcstack-summary: .*|consumer: .*|"
                      r"self-test: .*|lib/ keeps .*|[a-z]+ sanitizer caught the canary: .*|"
                      r"rtc-sdp: .*)")


def show(path):
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            if not line.strip():
                continue
            test = json.loads(line)
            found = EVIDENCE.findall(test.get("stdout") or "")
            evidence = found[-1] if found else ""
            print(f"  {test.get('result', 'ERROR'):<12} {test['name']:<45} {evidence}")


def count(paths):
    passed = failed = skipped = 0
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as log:
            for line in log:
                if not line.strip():
                    continue
                test = json.loads(line)
                result = test.get("result", "ERROR")
                ok = result in ("OK", "EXPECTEDFAIL")
                match = SUMMARY.search(test.get("stdout") or "")
                if result == "SKIP":
                    skipped += 1
                elif match:
                    passed += int(match.group(1))
                    failed += int(match.group(2))
                    if not ok and int(match.group(2)) == 0:
                        failed += 1
                elif ok:
                    passed += 1
                else:
                    failed += 1
    return passed, failed, skipped


if __name__ == "__main__":
    if sys.argv[1:2] == ["--show"]:
        for path in sys.argv[2:]:
            show(path)
    else:
        print(*count(sys.argv[1:]))

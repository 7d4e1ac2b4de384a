#!/usr/bin/env bash
# tools/rtc-sdp as a user runs it: check on every real SDP, a precise error on bad input
# (from standard input), JSON that parses and holds the typed model, and a canonical form
# that parses and is stable under a second pass.
# Usage: rtc_sdp_test.sh RTC_SDP DATA_DIR
set -uo pipefail
tool=$1
data=$2
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

count=0
for file in "$data"/sdp/*.sdp; do
  "$tool" check "$file" > /dev/null || fail "check $file"
  "$tool" fmt "$file" > "$tmp/once.sdp" || fail "fmt $file"
  "$tool" fmt "$tmp/once.sdp" > "$tmp/twice.sdp" || fail "fmt of fmt $file"
  cmp -s "$tmp/once.sdp" "$tmp/twice.sdp" || fail "fmt is not stable on $file"
  count=$((count + 1))
done
echo "check and fmt: $count real SDP files"

printf 'v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\na=setup:both\n' | "$tool" check - 2> "$tmp/err"
status=$?
[ "$status" -eq 1 ] || fail "bad SDP on stdin: exit $status, expected 1"
grep -q 'SDP line 5 "a=setup:both": setup: "both" is not actpass' "$tmp/err" || fail "error text: $(cat "$tmp/err")"

"$tool" json "$data/sdp/chromium-offer-2.sdp" > "$tmp/offer.json" || fail "json"
/usr/bin/python3 - "$tmp/offer.json" <<'PY' || fail "json content"
import json, sys
model = json.load(open(sys.argv[1]))
media = model["media"]
assert [m["media"] for m in media] == ["video", "audio"], media
video = media[0]
assert video["mid"] == "0" and video["direction"] == "sendrecv"
candidates = [a["candidate"] for a in video["attributes"] if a["name"] == "candidate"]
assert len(candidates) == 4 and candidates[2]["tcpType"] == "active", candidates
rtpmap = next(a for a in video["attributes"] if a["name"] == "rtpmap")
assert (rtpmap["payloadType"], rtpmap["encoding"], rtpmap["clockRate"]) == (96, "VP8", 90000)
fingerprint = next(a for a in video["attributes"] if a["name"] == "fingerprint")
assert fingerprint["algorithm"] == "sha-256" and len(fingerprint["digest"]) == 95
PY

"$tool" > /dev/null 2>&1; [ $? -eq 2 ] || fail "no arguments: expected exit 2"
"$tool" check /nonexistent.sdp > /dev/null 2>&1; [ $? -eq 2 ] || fail "missing file: expected exit 2"

if [ "$failures" -gt 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "rtc-sdp: check, json and fmt behave"

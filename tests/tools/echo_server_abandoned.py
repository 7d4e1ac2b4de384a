#!/usr/bin/env python3
"""600 Chromium offers that never start ICE, POSTed to rtc-echo server running under a
1024-descriptor limit (issue 20): offers past the cap of unconnected connections get 503
with Retry-After (never 500, never "Too many open files"); the server never comes near
its descriptor limit; at the setup deadline (30 s) every abandoned connection fails and
its sockets close (counted in /proc/PID/fd); a real call succeeds afterwards.

Usage: echo_server_abandoned.py RTC_ECHO
Prints "rtcstack-summary: passed=P failed=F"; exits non-zero on any failure.
"""

import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from echo_server_support import Checks, Server, Sampler, chromium_offer, request

OFFERS = 600
CAP = 400
SETUP_TIMEOUT = 30

check = Checks()


def main():
    rtc_echo = sys.argv[1]
    server = Server(rtc_echo, "--max-unconnected", str(CAP), max_descriptors=1024)
    try:
        idle = server.descriptors()
        descriptors = Sampler(server.descriptors)
        body = json.dumps({"type": "offer", "sdp": chromium_offer()}).encode()
        lock = threading.Lock()
        statuses = {}
        retry_after = [0]

        def post(_):
            status, head, _, _ = request(server.port, "POST", "/offer", body, timeout=20)
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status == 503 and "Retry-After:" in head:
                    retry_after[0] += 1

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(post, range(OFFERS)))
        answered_by = time.monotonic()
        print(f"{OFFERS} offers posted in {answered_by - started:.1f} s: {statuses}")
        check(statuses.get(200) == CAP, f"{CAP} offers answered ({statuses.get(200)})")
        check(statuses.get(503) == OFFERS - CAP and retry_after[0] == OFFERS - CAP,
              f"the {OFFERS - CAP} past the cap got 503 with Retry-After ({statuses})")
        held = server.descriptors()
        check(held >= idle + CAP, f"each answered offer holds its socket ({held} descriptors, {idle} idle)")
        # Every abandoned connection fails at its deadline and gives its socket back.
        deadline = answered_by + SETUP_TIMEOUT + 15
        while time.monotonic() < deadline and server.descriptors() > idle + 4:
            time.sleep(0.2)
        released_after = time.monotonic() - answered_by
        largest = descriptors.stop()
        after = server.descriptors()
        check(after <= idle + 4, f"after the setup deadline the sockets are closed ({after} descriptors, "
                                 f"{idle} idle, {released_after:.1f} s after the last answer)")
        check(largest < 1024 - 64, f"the server stayed clear of its 1024-descriptor limit (at most {largest})")
        failed = sum(1 for line in server.lines if "not connected within 30 s" in line)
        check(failed == CAP, f"every abandoned connection reported failed with the setup timeout ({failed})")
        check(not any("Too many open files" in line for line in server.lines), "no descriptor shortage was met")
        # A real call now.
        call = subprocess.run([rtc_echo, "client", "-s", server.url + "/offer", "-t", "1", "--bind", "127.0.0.1",
                               "--timeout", "20"], capture_output=True, text=True, timeout=60)
        print(call.stdout.strip().splitlines()[-1] if call.stdout.strip() else call.stderr)
        check(call.returncode == 0, "a real call succeeds afterwards")
    finally:
        code = server.stop()
    check(code == 0, f"the server exits cleanly on SIGTERM ({code})")
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())

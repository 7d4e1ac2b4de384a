#!/usr/bin/env python3
"""rtc-echo server's HTTP front end under hostile clients, on loopback (issue 20):

- 20 connections trickling a request one byte a second (from 127.0.0.2): 16 are held
  (the per-address limit), 4 closed at once; other clients' requests are answered within
  1 s throughout; the 16 get 408 at the request deadline.
- four 50 MB bodies at once: 413 from the Content-Length, before the body is read.
- a million header lines: 431 once the head passes 16 KiB.
- 8 MB of nested JSON: 413; 1 MB of it (under the body limit): 400, refused before the
  JSON parser sees it.
- the server's resident memory stays under 64 MB throughout (under the sanitizers, whose
  shadow memory and the heap-allocated frames of detect_stack_use_after_return come on
  top: within 96 MB of what it held at the start, with AddressSanitizer's quarantine of
  freed memory cut to 16 MB - measured 52 MB of growth there; unbounded reading of the
  bodies alone would be 200 MB).

Usage: echo_server_hostile_http.py RTC_ECHO [sanitized]
Prints "rtcstack-summary: passed=P failed=F"; exits non-zero on any failure.
"""

import json
import os
import select
import sys
import threading
import time

from echo_server_support import Checks, Server, Sampler, chromium_offer, connect, read_response, request

check = Checks()


def readable(sock, seconds):
    return bool(select.select([sock], [], [], seconds)[0])


def slow_clients(server):
    """20 clients trickling bytes; others must be answered within 1 s meanwhile."""
    sockets, refused, results = [], [], {}
    for _ in range(20):
        sock = connect(server.port, source="127.0.0.2", timeout=15)
        sockets.append(sock)
    line = b"GET / HTTP/1.1\r\nHost: slow\r\nX-Slow: "

    def trickle(index, sock):
        try:
            for position in range(len(line)):
                if readable(sock, 1.0):  # an answer (408), or closed: stop sending
                    break
                sock.sendall(line[position:position + 1])
            results[index] = read_response(sock)[0]
        except OSError:
            results[index] = "reset"

    threads = [threading.Thread(target=trickle, args=(i, s), daemon=True) for i, s in enumerate(sockets)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    slowest = 0.0
    answered = 0
    offer = json.dumps({"type": "offer", "sdp": chromium_offer()}).encode()
    while time.monotonic() - started < 6:
        status, _, _, seconds = request(server.port, "GET", "/")
        slowest = max(slowest, seconds)
        answered += status == 200
        status, _, _, seconds = request(server.port, "POST", "/offer", offer)
        slowest = max(slowest, seconds)
        answered += status == 200
        time.sleep(0.25)
    check(answered >= 20, f"other clients answered while 20 trickle ({answered} answers)")
    check(slowest < 1.0, f"every other request answered within 1 s (slowest {slowest:.3f} s)")
    for thread in threads:
        thread.join(timeout=15)
    statuses = [results.get(i) for i in range(20)]
    refused = sum(1 for s in statuses if s in (None, "reset"))
    timed_out = sum(1 for s in statuses if s == 408)
    check(refused == 4 and timed_out == 16,
          f"16 slow clients got 408 at the deadline, 4 past the per-address limit were closed ({statuses})")
    check(time.monotonic() - started < 14, "the slow clients were ended by the 10 s request deadline")
    for sock in sockets:
        sock.close()


def large_bodies(server):
    results = []

    def send_body():
        status = None
        try:
            with connect(server.port, source="127.0.0.3", timeout=10) as sock:
                sock.sendall(b"POST /offer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                             b"Content-Length: 52428800\r\n\r\n")
                chunk = b"{" * 65536
                sock.setblocking(False)
                sent = 0
                deadline = time.monotonic() + 5
                while sent < 52428800 and time.monotonic() < deadline and not readable(sock, 0):
                    try:
                        sent += sock.send(chunk)
                    except BlockingIOError:
                        time.sleep(0.001)
                    except OSError:
                        break
                sock.setblocking(True)
                sock.settimeout(5)
                status = read_response(sock)[0]
        except OSError:
            pass
        results.append(status)

    threads = [threading.Thread(target=send_body) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    check(results == [413] * 4, f"four 50 MB bodies: 413 each ({results})")


def many_headers(server):
    with connect(server.port, source="127.0.0.4", timeout=10) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        line = b"X-Header: value\r\n" * 4096
        try:
            for _ in range(256):  # a million lines, unless the server answers first
                if readable(sock, 0):
                    break
                sock.sendall(line)
        except OSError:
            pass
        status = read_response(sock)[0]
    check(status == 431, f"a million header lines: 431 ({status})")


def nested_json(server):
    status, _, _, _ = request(server.port, "POST", "/offer", b"[" * (8 << 20), source="127.0.0.5")
    check(status == 413, f"8 MB of nested JSON: 413 ({status})")
    status, _, body, _ = request(server.port, "POST", "/offer", b"[" * (1 << 20), source="127.0.0.5")
    check(status == 400 and b"nests deeper" in body, f"1 MB of nested JSON: 400, refused before parsing ({status})")


def main():
    rtc_echo = sys.argv[1]
    sanitized = len(sys.argv) > 2 and sys.argv[2] == "sanitized"
    if sanitized:
        # AddressSanitizer holds freed memory back (256 MB of quarantine by default) to
        # catch use after free; with a small quarantine, resident memory follows use.
        os.environ["ASAN_OPTIONS"] = os.environ.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=16"
    server = Server(rtc_echo)
    try:
        start_kib = server.rss_kib()
        memory = Sampler(server.rss_kib)
        slow_clients(server)
        large_bodies(server)
        many_headers(server)
        nested_json(server)
        largest = memory.stop()
        bound = start_kib + 96 * 1024 if sanitized else 64 * 1024
        check(largest < bound, f"resident memory at most {largest} KiB (started at {start_kib}, bound {bound})")
        status, _, _, _ = request(server.port, "GET", "/")
        check(status == 200, "the server still serves afterwards")
    finally:
        code = server.stop()
    check(code == 0, f"the server exits cleanly on SIGTERM ({code})")
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())

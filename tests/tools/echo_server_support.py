"""Shared by the rtc-echo server tests: start the server, raw HTTP over loopback, the
server's resident memory and descriptors read from /proc, and the tally of checks."""

import os
import re
import resource
import signal
import socket
import subprocess
import threading
import time

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "sdp")


class Server:
    """rtc-echo server on 127.0.0.1 (HTTP port picked by the kernel), media on 127.0.0.1."""

    def __init__(self, rtc_echo, *args, max_descriptors=None):
        def limit():
            if max_descriptors:
                resource.setrlimit(resource.RLIMIT_NOFILE, (max_descriptors, max_descriptors))

        env = dict(os.environ)
        if max_descriptors and "UBSAN_OPTIONS" in env:
            # UBSan's vptr check probes memory through a pipe; in a process that has run
            # out of descriptors on purpose the probe fails and the check reports a
            # virtual call on a valid object as a type error. Only that check is
            # suppressed, only for a server starved of descriptors.
            supp = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ubsan_descriptor_starved.supp")
            env["UBSAN_OPTIONS"] += ":suppressions=" + supp
        self.process = subprocess.Popen(
            [rtc_echo, "server", "--host", "127.0.0.1", "--port", "0", "--bind", "127.0.0.1", *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, preexec_fn=limit, env=env)
        self.lines = []
        self.port = None
        started = threading.Event()

        def read():
            for line in self.process.stdout:
                self.lines.append(line.rstrip("\n"))
                found = re.match(r"rtc-echo server: http://[0-9.]+:(\d+)/", line)
                if found:
                    self.port = int(found.group(1))
                    started.set()
            started.set()

        threading.Thread(target=read, daemon=True).start()
        if not started.wait(10) or self.port is None:
            self.stop()
            raise RuntimeError("rtc-echo server did not start: " + "\n".join(self.lines))
        self.url = f"http://127.0.0.1:{self.port}"

    def rss_kib(self):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def descriptors(self):
        return len(os.listdir(f"/proc/{self.process.pid}/fd"))

    def stop(self):
        """SIGTERM, then the exit code (0: it shut down cleanly)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return -1


class Sampler:
    """Samples a number (resident memory, descriptors) every 20 ms; keeps the largest."""

    def __init__(self, read):
        self.read = read
        self.largest = read()
        self.running = True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while self.running:
            try:
                self.largest = max(self.largest, self.read())
            except OSError:
                return
            time.sleep(0.02)

    def stop(self):
        self.running = False
        self.thread.join()
        return self.largest


def connect(port, source="127.0.0.1", timeout=5.0):
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0))
    return sock


def read_response(sock, limit=1 << 20):
    """The status and body of the response on `sock` (None when it closed without one)."""
    data = b""
    try:
        while len(data) < limit:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    head, _, body = data.partition(b"\r\n\r\n")
    match = re.match(rb"HTTP/1\.1 (\d{3})", head)
    return (int(match.group(1)) if match else None), head.decode(errors="replace"), body


def request(port, method, path, body=b"", source="127.0.0.1", timeout=5.0, headers=""):
    """One whole request; returns (status, head, body, seconds)."""
    started = time.monotonic()
    with connect(port, source, timeout) as sock:
        sock.sendall(f"{method} {path} HTTP/1.1\r\nHost: x\r\n{headers}Content-Length: {len(body)}\r\n\r\n".encode()
                     + body)
        status, head, answer = read_response(sock)
    return status, head, answer, time.monotonic() - started


def chromium_offer():
    """Chromium's audio+video+data offer without candidates: a peer that never starts ICE."""
    with open(os.path.join(DATA, "chromium-offer-av-data.sdp")) as file:
        lines = [line.rstrip("\r\n") for line in file]
    lines = [line for line in lines if not line.startswith(("a=candidate", "a=end-of-candidates"))]
    return "\r\n".join(lines) + "\r\n"


class Checks:
    """Each check prints ok or FAILED; summary() prints the line scripts/count_results.py
    reads and gives the exit code."""

    def __init__(self):
        self.passed = 0
        self.failures = []

    def __call__(self, condition, what):
        if condition:
            self.passed += 1
            print(f"ok: {what}")
        else:
            self.failures.append(what)
            print(f"FAILED: {what}")

    def summary(self):
        print(f"rtcstack-summary: passed={self.passed} failed={len(self.failures)}")
        return 1 if self.failures else 0

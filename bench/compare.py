#!/usr/bin/python3
"""Runs the same scenarios on rtcstack, Pion and aiortc and prints a markdown table:
the median over repeated runs with the min-max range, and how many times better
rtcstack does (x > 1: rtcstack wins; for times and memory, other / rtcstack; for rates,
rtcstack / other).

    bench/compare.py [--runs N] [--build DIR] [--pion PROGRAM] [--skip-relay]

Scenarios (numbers as in issue 10): 1 setup (offer to data channel open on both ends,
50 calls), 2 throughput (one reliable ordered channel, 64 KiB messages, 5 s with
backpressure), 4 memory (resident bytes per idle connected PeerConnection with one open
channel, 200 pairs), 5 1000 connections served by one UDP port (time until every channel
is open, CPU; not aiortc, which has no single-port mode), 6 SRTP protect/unprotect of
1200-byte packets, 7 CPU per second of a two-way 640x480 VP8 + Opus call, synthetic
picture and tone included (not Pion, which has no codecs; aiortc negotiates its own
bitrate), and 3 the channel of scenario 2 through bench_relay (a loopback relay adding a
round trip of 0, 20, 50, 100 ms with RTT/20 jitter and 0 or 1 % loss; each stack's
candidates are rewritten to point at it), repeated like the others. Every program is ours: bench_call
and bench_srtp (rtcstack), bench/peers/pion (built by build_pion.sh), bench/peers/
aiortc_bench.py. Each run is a fresh process. Progress goes to stderr, the table to stdout.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (scenario, argument, benchmark name, metric, label, lower is better)
SCENARIOS = [
    ("setup", "50", "call_setup_ms", "median_ms", "1. offer to channel open, median (ms)", True),
    ("setup", "50", "call_setup_ms", "p95_ms", "1. offer to channel open, p95 (ms)", True),
    ("throughput", "5", "call_channel_throughput", "mb_per_second", "2. reliable channel, 64 KiB messages (MB/s)", False),
    ("memory", "200", "call_idle_memory", "resident_bytes_per_connection", "4. resident memory per idle connection (KiB)", True),
    ("many", "1000", "call_many_one_port", "seconds_to_connect_all", "5. 1000 connections on one UDP port: time to open all (s)", True),
    ("many", "1000", "call_many_one_port", "cpu_ms_per_connection", "5. 1000 connections on one UDP port: CPU per connection (ms)", True),
    ("media", "5", "call_media_cpu", "cpu_seconds_per_second", "7. two-way 640x480 VP8 + Opus call, CPU s per s", True),
]
# Scenarios a stack has no equivalent for: aiortc cannot serve many connections on one
# port. (Pion has no VP8 or Opus codec of its own: its peer codes through libvpx and
# libopus, bench/peers/pion/codecs.go.)
MISSING = {("aiortc", "many")}
SRTP_PROFILES = [("AES_CM_128_HMAC_SHA1_80", 1), ("AEAD_AES_128_GCM", 7)]


def run(command, timeout=600):
    print("  $ " + " ".join(command), file=sys.stderr, flush=True)
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    records = []
    for line in result.stdout.splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    if result.returncode != 0:
        print("    failed (%d): %s" % (result.returncode, (result.stderr or result.stdout)[-400:]), file=sys.stderr)
    return records


def stacks(args):
    return {
        "rtcstack": [os.path.join(args.build, "bench", "bench_call")],
        "Pion": [args.pion],
        "aiortc": ["/usr/bin/python3", os.path.join(ROOT, "bench", "peers", "aiortc_bench.py")],
    }


def collect(args):
    """values[label][stack] = [one figure per run]"""
    values = {}
    for run_index in range(args.runs):
        print("run %d of %d" % (run_index + 1, args.runs), file=sys.stderr)
        for stack, command in stacks(args).items():
            done = {}
            for scenario, argument, name, metric, label, _ in SCENARIOS:
                if (stack, scenario) in MISSING:
                    continue
                if scenario not in done:
                    done[scenario] = run(command + [scenario, argument])
                for record in done[scenario]:
                    if record.get("benchmark") == name and metric in record:
                        figure = record[metric] / 1024 if metric.startswith("resident") else record[metric]
                        values.setdefault(label, {}).setdefault(stack, []).append(figure)
            # 6. SRTP: rtcstack's native engine from bench_srtp; the peers' own libraries.
            if stack == "rtcstack":
                records = run([os.path.join(args.build, "bench", "bench_srtp"),
                               "--benchmark_filter=session_(un)?protect/(1|7)/0$"])
                for record in records:
                    name = record.get("benchmark", "")
                    for profile, number in SRTP_PROFILES:
                        for direction in ("protect", "unprotect"):
                            if name == "session_%s/%d/0" % (direction, number):
                                label = "6. SRTP %s %s, 1200 B (k packets/s)" % (direction, profile)
                                values.setdefault(label, {}).setdefault(stack, []).append(record["items_per_second"] / 1e3)
            else:
                for record in run(command + ["srtp", "1"]):
                    if record.get("benchmark") in ("srtp_protect", "srtp_unprotect"):
                        direction = record["benchmark"][len("srtp_"):]
                        label = "6. SRTP %s %s, 1200 B (k packets/s)" % (direction, record["profile"])
                        values.setdefault(label, {}).setdefault(stack, []).append(record["packets_per_second"] / 1e3)
    return values


def relayed(args, values):
    """Scenario 3: a fresh relay process per stack, condition and run; run k seeds the relay's
    delay and loss with 7 + k, the same for every stack."""
    relay = os.path.join(args.build, "bench", "bench_relay")
    for run_index in range(args.runs):
        print("scenario 3, run %d of %d" % (run_index + 1, args.runs), file=sys.stderr)
        for rtt in (0, 20, 50, 100):
            for loss in (0, 0.01):
                label = "3. through a relay, RTT %d ms, loss %d %% (MB/s)" % (rtt, loss * 100)
                for stack, command in stacks(args).items():
                    process = subprocess.Popen([relay, str(rtt), str(loss), "120", str(7 + run_index)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
                    try:
                        ports = json.loads(process.stdout.readline())
                        for record in run(command + ["via", "5", str(ports["alias_a"]), str(ports["alias_b"])], timeout=120):
                            if record.get("benchmark") == "call_relayed_throughput":
                                values.setdefault(label, {}).setdefault(stack, []).append(record["mb_per_second"])
                    finally:
                        process.terminate()
                        process.wait()


def lower_is_better(label):
    for _, _, _, _, known, lower in SCENARIOS:
        if known == label:
            return lower
    return False  # the rest are rates


def cell(figures):
    if not figures:
        return "-"
    median = statistics.median(figures)
    digits = 0 if median >= 100 else 1 if median >= 10 else 2
    text = "%.*f" % (digits, median)
    if len(figures) > 1:
        text += " (%.*f-%.*f)" % (digits, min(figures), digits, max(figures))
    return text


def table(values, names):
    others = [name for name in names if name != "rtcstack"]
    lines = ["| scenario | " + " | ".join(names) + " | " + " | ".join("x vs " + other for other in others) + " |",
             "|---" * (1 + len(names) + len(others)) + "|"]
    # Natural order: scenario number, then the numbers in the label (RTT 20 before 100).
    natural = lambda text: [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]
    for label in sorted(values, key=natural):
        row = values[label]
        cells = [cell(row.get(name, [])) for name in names]
        ratios = []
        ours = statistics.median(row["rtcstack"]) if row.get("rtcstack") else None
        for other in others:
            theirs = statistics.median(row[other]) if row.get(other) else None
            if not ours or not theirs:
                ratios.append("-")
            else:
                ratios.append("%.2f" % (theirs / ours if lower_is_better(label) else ours / theirs))
        lines.append("| " + label + " | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--build", default=os.path.join(ROOT, "build", "gcc"))
    parser.add_argument("--pion", default=os.path.join(ROOT, "build", "pion", "pion-bench"))
    parser.add_argument("--skip-relay", action="store_true", help="leave out scenario 3 (about 6 minutes a run)")
    args = parser.parse_args()
    values = collect(args)
    if not args.skip_relay:
        relayed(args, values)
    print(table(values, ["rtcstack", "Pion", "aiortc"]))


if __name__ == "__main__":
    main()

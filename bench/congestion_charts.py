#!/usr/bin/python3
"""Draws congestion control's charts (issue 23) as PNG files with matplotlib (Debian's
python3-matplotlib):

- one per simulated scenario of tests/pc/test_congestion_control.cpp - the link's rate,
  each call's target and received rate (and a data channel's), and the bottleneck's
  queuing delay over time - from the traces the test writes with RTCSTACK_CC_TRACE;
- with --compare FILE (bench/congestion_compare.py --samples FILE), rtcstack's and Pion's
  target and received rate through the same relay, first run of each.

    bench/congestion_charts.py [--build DIR] [--out DIR] [--compare FILE]

It runs the scenarios itself (build/gcc/tests/test_pc "[congestion]"), in simulated time:
the charts come out the same on every machine.
"""
import argparse
import glob
import json
import os
import subprocess
import tempfile

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TITLES = {
    "steady-1mbps": "1 Mbit/s link, 50 ms RTT",
    "capacity-steps": "capacity steps: 1 -> 3 -> 0.5 Mbit/s",
    "two-calls": "two calls sharing 2 Mbit/s",
    "greedy-channel": "a call beside a greedy data channel, 2 Mbit/s",
    "random-loss": "1 Mbit/s with 2 % random loss",
    "libvpx-600kbps": "libvpx following the target, 600 kbit/s",
    "remb-only": "REMB only (no transport-wide feedback), 1 Mbit/s",
}


def scenario_chart(path, out_dir):
    name = os.path.splitext(os.path.basename(path))[0]
    lines = [json.loads(line) for line in open(path)]
    t = [line["t"] for line in lines]
    figure, (rates, queue) = plt.subplots(2, 1, figsize=(9, 6), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    rates.step(t, [line["link_bps"] / 1e6 for line in lines], where="post", color="black", linewidth=1, label="link")
    for index in range(len(lines[0]["calls"])):
        color = "C%d" % index
        target = [line["calls"][index]["target_bps"] / 1e6 for line in lines]
        video = [line["calls"][index]["video_bps"] / 1e6 for line in lines]
        channel = [line["calls"][index]["channel_bps"] / 1e6 for line in lines]
        rates.plot(t, target, color=color, linestyle="--", linewidth=1, label="call %d target" % (index + 1))
        rates.plot(t, video, color=color, linewidth=1, alpha=0.8, label="call %d video received" % (index + 1))
        if any(channel):
            rates.plot(t, channel, color="C%d" % (index + 2), linewidth=1, alpha=0.8, label="data channel received")
    rates.set_ylabel("Mbit/s")
    rates.set_title(TITLES.get(name, name))
    rates.legend(loc="upper right", fontsize="small")
    rates.grid(alpha=0.3)
    queue.plot(t, [line["queue_ms"] for line in lines], color="C3", linewidth=1)
    queue.set_ylabel("queue (ms)")
    queue.set_xlabel("seconds")
    queue.grid(alpha=0.3)
    figure.tight_layout()
    target_path = os.path.join(out_dir, "cc-%s.png" % name)
    figure.savefig(target_path, dpi=80)
    plt.close(figure)
    return target_path


def comparison_chart(path, out_dir):
    samples = [json.loads(line) for line in open(path)]
    figure, axis = plt.subplots(figsize=(9, 4))
    for index, stack in enumerate(["rtcstack", "pion"]):
        run = [s for s in samples if s["stack"] == stack and s["run"] == 1]
        if not run:
            continue
        color = "C%d" % index
        label = "Pion v3 (interceptor gcc)" if stack == "pion" else "rtcstack"
        axis.plot([s["t"] for s in run], [s["target_bps"] / 1e6 for s in run], color=color, linestyle="--", linewidth=1,
                  label=label + " target")
        axis.plot([s["t"] for s in run], [s["received_bps"] / 1e6 for s in run], color=color, linewidth=1,
                  label=label + " received")
    rate = samples[0]["rate_bps"] / 1e6
    axis.axhline(rate, color="black", linewidth=1, label="link")
    axis.set_ylabel("Mbit/s")
    axis.set_xlabel("seconds")
    axis.set_title("640x480 VP8 through the same %.1f Mbit/s relay, 40 ms RTT" % rate)
    axis.legend(loc="lower right", fontsize="small")
    axis.grid(alpha=0.3)
    figure.tight_layout()
    target_path = os.path.join(out_dir, "cc-vs-pion.png")
    figure.savefig(target_path, dpi=80)
    plt.close(figure)
    return target_path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build", "gcc"))
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "images"))
    parser.add_argument("--compare", help="samples written by congestion_compare.py --samples")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    with tempfile.TemporaryDirectory() as traces:
        subprocess.run([os.path.join(args.build, "tests", "test_pc"), "[congestion]"], check=True,
                       env={**os.environ, "RTCSTACK_CC_TRACE": traces}, stdout=subprocess.DEVNULL)
        for path in sorted(glob.glob(os.path.join(traces, "*.jsonl"))):
            print(scenario_chart(path, args.out))
    if args.compare:
        print(comparison_chart(args.compare, args.out))


if __name__ == "__main__":
    main()

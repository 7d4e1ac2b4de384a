#!/usr/bin/python3
"""Congestion control beside Pion (issue 23): each stack sends 640x480 VP8 at 30 fps,
following its own bandwidth estimate, through bench_relay under the same conditions - a
bottleneck of RATE bit/s with a 300 ms drop-tail queue, a 40 ms round trip - and prints a
markdown table of what each achieved, runs alternating between the stacks:

    bench/congestion_compare.py [--runs N] [--seconds S] [--rate BPS] [--build DIR]
                                [--pion PROGRAM] [--samples FILE]

- convergence: seconds from the call's start until the rate received first reaches 85 %
  of the link (a 500 ms window);
- utilisation: what left the bottleneck from 10 s on, over what it could carry;
- queuing delay p95: of the relay's queue, from 10 s on;
- loss: datagrams the full queue dropped, of all that reached it.
rtcstack's side is bench_congestion (libvpx through media::Vp8Sender); Pion's is
bench/peers/pion's "cc" (Debian's pion/interceptor pkg/gcc and pkg/twcc, libvpx through
cgo with the same settings), built by bench/peers/build_pion.sh. --samples writes every
500 ms sample (target and received rate) as JSON lines, for bench/congestion_charts.py.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_once(stack, program, relay, seconds, rate):
    """One call through a fresh relay: the peer's samples and the relay's figures."""
    relay_process = subprocess.Popen([relay, "40", "0", str(seconds + 8), "7", str(rate), "300"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    aliases = json.loads(relay_process.stdout.readline())
    peer = subprocess.run(program + [str(seconds), str(aliases["alias_a"]), str(aliases["alias_b"])],
                          capture_output=True, text=True, timeout=seconds + 60)
    figures = json.loads(relay_process.communicate(timeout=seconds + 30)[0].strip().splitlines()[-1])
    samples = [json.loads(line) for line in peer.stdout.splitlines() if '"cc_sample"' in line]
    if peer.returncode != 0 or not samples:
        raise RuntimeError("%s failed: %s %s" % (stack, peer.stdout[-500:], peer.stderr[-500:]))
    return samples, figures


def summarise(samples, figures, rate, seconds):
    reached = next((s["t"] for s in samples if s["received_bps"] >= 0.85 * rate), None)
    settled = figures["bytes_per_second"][10:int(seconds)]
    return {
        "convergence_s": reached,
        "utilisation": sum(settled) * 8 / (len(settled) * rate) if settled else 0,
        "queue_p95_ms": figures["queue_p95_ms_after_10s"],
        "loss": figures["queue_dropped"] / max(1, figures["taken"] + figures["queue_dropped"]),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--rate", type=int, default=800_000)
    parser.add_argument("--build", default=os.path.join(ROOT, "build", "gcc"))
    parser.add_argument("--pion", default=os.path.join(ROOT, "build", "pion", "pion-bench"))
    parser.add_argument("--samples", help="write every sample to this file (JSON lines)")
    args = parser.parse_args()
    programs = {
        "rtcstack": [os.path.join(args.build, "bench", "bench_congestion")],
        "pion": [args.pion, "cc"],
    }
    relay = os.path.join(args.build, "bench", "bench_relay")
    results = {stack: [] for stack in programs}
    sample_file = open(args.samples, "w") if args.samples else None
    for run_index in range(args.runs):
        for stack, program in programs.items():
            print("%s, run %d of %d" % (stack, run_index + 1, args.runs), file=sys.stderr)
            samples, figures = run_once(stack, program, relay, args.seconds, args.rate)
            summary = summarise(samples, figures, args.rate, args.seconds)
            results[stack].append(summary)
            print(json.dumps({"benchmark": "cc_compare", "stack": stack, "run": run_index + 1, "rate_bps": args.rate, **summary}))
            if sample_file:
                for sample in samples:
                    sample_file.write(json.dumps({**sample, "run": run_index + 1, "rate_bps": args.rate}) + "\n")
            time.sleep(1)

    def cell(stack, key, scale=1.0, digits=1):
        values = [r[key] for r in results[stack] if r[key] is not None]
        if not values:
            return "never"
        median = statistics.median(values) * scale
        return ("%.*f (%.*f-%.*f)" % (digits, median, digits, min(values) * scale, digits, max(values) * scale)
                if len(values) > 1 else "%.*f" % (digits, median))

    print("\n| %d kbit/s bottleneck, 300 ms queue, 40 ms RTT; median (min-max) of %d runs | rtcstack | Pion v3 (interceptor gcc) |"
          % (args.rate // 1000, args.runs))
    print("|---|---|---|")
    print("| convergence: 85 %% of the link received (s) | %s | %s |" % (cell("rtcstack", "convergence_s"), cell("pion", "convergence_s")))
    print("| link utilisation from 10 s (%%) | %s | %s |" % (cell("rtcstack", "utilisation", 100), cell("pion", "utilisation", 100)))
    print("| queuing delay p95 from 10 s (ms) | %s | %s |" % (cell("rtcstack", "queue_p95_ms"), cell("pion", "queue_p95_ms")))
    print("| loss at the queue (%%) | %s | %s |" % (cell("rtcstack", "loss", 100, 2), cell("pion", "loss", 100, 2)))


if __name__ == "__main__":
    main()

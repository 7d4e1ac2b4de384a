#!/usr/bin/python3
"""The side-by-side scenarios of bench/compare.py for aiortc (Debian's python3-aiortc):
two RTCPeerConnections in this process over loopback UDP, one JSON object per line with
the same names and units as rtcstack's bench_call.

    aiortc_bench.py setup N        offer -> data channel open on both ends, N calls
    aiortc_bench.py throughput S   one reliable ordered channel, 64 KiB messages, S seconds
    aiortc_bench.py memory N       resident bytes per idle connected PeerConnection, N pairs
    aiortc_bench.py via S A B      throughput as above through a bench_relay process whose
                                   aliases for the offerer and the answerer are ports A and B
    aiortc_bench.py media S        CPU per second of a two-way 640x480 30 fps VP8 + Opus call
                                   (aiortc encodes and decodes with libvpx and libopus)
    aiortc_bench.py srtp S         SRTP protect and unprotect of 1200-byte RTP packets per
                                   profile, S seconds each (pylibsrtp, aiortc's SRTP)

Run with /usr/bin/python3 (Debian's modules). aioice is told that 127.0.0.1 is this
host's one address, so nothing leaves loopback. aiortc gathers before it returns from
setLocalDescription, so its descriptions carry every candidate (no trickle).
"""
import asyncio
import gc
import json
import os
import statistics
import sys
import time

import aioice.ice
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]

MESSAGE = 64 * 1024


def via_relay(description, alias):
    """The description with every candidate's port replaced by the relay's alias."""
    if not alias:
        return description
    lines = []
    for line in description.sdp.split("\r\n"):
        if line.startswith("a=candidate:"):
            fields = line.split(" ")
            fields[5] = str(alias)
            line = " ".join(fields)
        lines.append(line)
    return RTCSessionDescription(sdp="\r\n".join(lines), type=description.type)


class Pair:
    alias_a = 0  # the relay's ports standing for a and b (0: no relay)
    alias_b = 0

    def __init__(self):
        self.a = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.b = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.channel = None
        self.b_open = asyncio.get_event_loop().create_future()
        self.received = 0

        @self.b.on("datachannel")
        def on_datachannel(channel):
            @channel.on("message")
            def on_message(message):
                self.received += len(message)

            if channel.readyState == "open":
                self.b_open.set_result(channel)
            else:
                channel.on("open", lambda: self.b_open.done() or self.b_open.set_result(channel))

    async def connect(self):
        self.channel = self.a.createDataChannel("bench", ordered=True)
        a_open = asyncio.get_event_loop().create_future()
        self.channel.on("open", lambda: a_open.done() or a_open.set_result(True))
        await self.a.setLocalDescription(await self.a.createOffer())
        await self.b.setRemoteDescription(via_relay(self.a.localDescription, Pair.alias_a))
        await self.b.setLocalDescription(await self.b.createAnswer())
        await self.a.setRemoteDescription(via_relay(self.b.localDescription, Pair.alias_b))
        await asyncio.wait_for(asyncio.gather(a_open, self.b_open), 10)

    async def close(self):
        await self.a.close()
        await self.b.close()


def emit(record):
    print(json.dumps(record), flush=True)


def percentile(values, p):
    values = sorted(values)
    at = p / 100 * (len(values) - 1)
    low = int(at)
    if low + 1 >= len(values):
        return values[-1]
    return values[low] + (at - low) * (values[low + 1] - values[low])


async def setup(calls):
    times = []
    for _ in range(calls):
        pair = Pair()
        start = time.perf_counter()
        await pair.connect()
        times.append((time.perf_counter() - start) * 1000)
        await pair.close()
    emit({"benchmark": "call_setup_ms", "calls": calls, "median_ms": round(statistics.median(times), 2),
          "p95_ms": round(percentile(times, 95), 2), "min_ms": round(min(times), 2), "max_ms": round(max(times), 2)})


async def throughput(seconds, benchmark="call_channel_throughput"):
    pair = Pair()
    await pair.connect()
    channel = pair.channel
    channel.bufferedAmountLowThreshold = 1 << 20
    low_water = asyncio.Event()
    channel.on("bufferedamountlow", low_water.set)
    message = bytes(MESSAGE)
    sent = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        if channel.bufferedAmount > 4 << 20:
            low_water.clear()
            try:
                await asyncio.wait_for(low_water.wait(), 0.05)
            except asyncio.TimeoutError:
                pass
            continue
        channel.send(message)
        sent += MESSAGE
        await asyncio.sleep(0)
    deadline = time.perf_counter() + 60
    while pair.received < sent and time.perf_counter() < deadline:
        await asyncio.sleep(0.001)
    elapsed = time.perf_counter() - start
    emit({"benchmark": benchmark, "bytes": pair.received, "seconds": round(elapsed, 3),
          "mb_per_second": round(pair.received / elapsed / 1e6, 1)})
    await pair.close()


def resident_bytes():
    gc.collect()
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def memory(pairs):
    before = resident_bytes()
    all_pairs = []
    for _ in range(pairs):
        pair = Pair()
        await pair.connect()
        all_pairs.append(pair)
    await asyncio.sleep(1)
    after = resident_bytes()
    emit({"benchmark": "call_idle_memory", "connections": 2 * pairs,
          "resident_bytes_per_connection": (after - before) // (2 * pairs)})
    for pair in all_pairs:
        await pair.close()


async def media(seconds):
    import resource

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "interop"))
    from aiortc_echo import MovingPicture, Tone

    a = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    b = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    decoded = {"a": 0, "b": 0}
    tasks = []

    def consume(name):
        def on_track(track):
            async def read():
                while True:
                    await track.recv()
                    if track.kind == "video":
                        decoded[name] += 1

            tasks.append(asyncio.ensure_future(read()))

        return on_track

    a.on("track", consume("a"))
    b.on("track", consume("b"))
    for pc in (a, b):
        pc.addTrack(MovingPicture(640, 480))
        pc.addTrack(Tone())
    # aiortc's offers give two header extensions of audio and video one id, which aiortc
    # itself then fails to receive (no frame ever decodes): both descriptions go without
    # extensions.
    def without_extmap(description):
        lines = [line for line in description.sdp.split("\r\n") if not line.startswith("a=extmap")]
        return RTCSessionDescription(sdp="\r\n".join(lines), type=description.type)

    await a.setLocalDescription(await a.createOffer())
    await b.setRemoteDescription(without_extmap(a.localDescription))
    await b.setLocalDescription(await b.createAnswer())
    await a.setRemoteDescription(without_extmap(b.localDescription))
    deadline = time.perf_counter() + 10
    while (decoded["a"] == 0 or decoded["b"] == 0) and time.perf_counter() < deadline:
        await asyncio.sleep(0.01)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_start, start = usage.ru_utime + usage.ru_stime, time.perf_counter()
    frames_start = dict(decoded)
    await asyncio.sleep(seconds)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    wall = time.perf_counter() - start
    emit({"benchmark": "call_media_cpu", "seconds": round(wall, 2),
          "cpu_seconds_per_second": round((usage.ru_utime + usage.ru_stime - cpu_start) / wall, 3),
          "frames_decoded_a": decoded["a"] - frames_start["a"], "frames_decoded_b": decoded["b"] - frames_start["b"]})
    for task in tasks:
        task.cancel()
    await a.close()
    await b.close()


async def srtp(seconds):
    from pylibsrtp import Policy, Session

    plain = bytearray(1200)
    plain[0], plain[1] = 0x80, 96
    plain[8:12] = b"\x01\x02\x03\x04"
    for name, profile, key_size in (("AES_CM_128_HMAC_SHA1_80", Policy.SRTP_PROFILE_AES128_CM_SHA1_80, 30),
                                    ("AEAD_AES_128_GCM", Policy.SRTP_PROFILE_AEAD_AES_128_GCM, 28)):
        sender = Session(policy=Policy(key=bytes(key_size), ssrc_type=Policy.SSRC_ANY_OUTBOUND, srtp_profile=profile))
        receiver = Session(policy=Policy(key=bytes(key_size), ssrc_type=Policy.SSRC_ANY_INBOUND, srtp_profile=profile))
        ring = []
        count = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds and count < 65536:
            plain[2:4] = count.to_bytes(2, "big")
            ring.append(sender.protect(bytes(plain)))
            count += 1
        emit({"benchmark": "srtp_protect", "profile": name, "packets_per_second": round(count / (time.perf_counter() - start))})
        start = time.perf_counter()
        for packet in ring:
            receiver.unprotect(packet)
        emit({"benchmark": "srtp_unprotect", "profile": name,
              "packets_per_second": round(len(ring) / (time.perf_counter() - start))})


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "via":
        Pair.alias_a, Pair.alias_b = int(sys.argv[3]), int(sys.argv[4])
        asyncio.run(throughput(float(sys.argv[2]), "call_relayed_throughput"))
        return
    scenarios = ("setup", "throughput", "memory", "media", "srtp")
    if len(sys.argv) != 3 or sys.argv[1] not in scenarios:
        sys.exit("usage: aiortc_bench.py setup N | throughput SECONDS | memory PAIRS | media SECONDS | srtp SECONDS")
    import aiortc
    emit({"context": {"program": "aiortc_bench", "stack": "aiortc " + aiortc.__version__ + " (Debian)"}})
    value = float(sys.argv[2])
    scenario = {"setup": lambda: setup(int(value)), "throughput": lambda: throughput(value),
                "memory": lambda: memory(int(value)), "media": lambda: media(value),
                "srtp": lambda: srtp(value)}[sys.argv[1]]
    asyncio.run(scenario())


if __name__ == "__main__":
    main()

// The page GET / serves: it runs echo test types 0-3 from a browser against the server
// that served it (same origin), then an ICE restart mid-call ("restart", renegotiated
// through the session URL the server's answer names), shows each result and sets
// window.rtcEchoResults ({type: "passed" | "failed: ..."}) for scripts that drive the
// browser. Type 2 sends the
// camera and microphone (a browser's fake devices in tests) and shows the echoed video,
// counting the frames it renders (requestVideoFrameCallback) in window.rtcEchoFrames.
// "#run" runs them all at load, "#run=0,1,3" those listed; "2-H264" is type 2 with only
// that video codec offered (setCodecPreferences), the codec of both directions checked in
// getStats and noted in window.rtcEchoCodecs; "2-VP8-red" also puts RED first for audio
// (RFC 2198: sent and echoed in RED; rtc-echo server --decode-media reads it);
// "2-VP8-simulcast" sends a 960x540 camera in three encodings (sendEncodings q, h, f at
// a quarter, half and full size), waits until each has sent 45 frames and notes each
// one's rid, size and frames sent in window.rtcEchoSimulcast. Each connection's selected
// pair's local transport ("udp", "tcp/active", ...) is added to window.rtcEchoTransports
// as it connects, and its remote candidate's type ("host", "prflx", ...) to
// window.rtcEchoRemoteTypes: how a script sees that a call went over ICE-TCP, or that
// the browser resolved the server's mDNS name. "#bandwidth=VIA,SECONDS" runs a video call
// through the impairment relay at port VIA instead, sampling congestion control's figures
// into window.rtcEchoBandwidth (bandwidth() below).
#pragma once

#include <string_view>

namespace rtcstack::echo {

inline constexpr std::string_view kPage = R"html(<!doctype html>
<html><head><meta charset="utf-8"><title>rtc-echo</title></head>
<body>
<h1>rtc-echo</h1>
<p>Runs the echo tests from this browser against this server. <button id="run">Run</button></p>
<video id="echo" width="320" height="240" autoplay muted playsinline></video>
<pre id="log"></pre>
<script>
"use strict";
const log = (text) => { document.getElementById("log").textContent += text + "\n"; };
window.rtcEchoResults = {};

async function connect(setup) {
  // max-bundle: Firefox then offers every section after the first as bundle-only (port 0).
  const pc = new RTCPeerConnection({iceServers: [], bundlePolicy: "max-bundle"});
  // Resolves once the transport is noted: a test that closes as soon as it connects waits for it.
  const noted = new Promise((resolve) => pc.addEventListener("connectionstatechange", async () => {
    if (pc.connectionState !== "connected") return;
    const stats = await pc.getStats();
    let local = null, remote = null;
    stats.forEach((report) => {
      if (report.type !== "transport" || !stats.has(report.selectedCandidatePairId)) return;
      const pair = stats.get(report.selectedCandidatePairId);
      local = stats.get(pair.localCandidateId);
      remote = stats.get(pair.remoteCandidateId);
    });
    const transport = !local ? "unknown" : local.protocol + (local.tcpType ? "/" + local.tcpType : "");
    (window.rtcEchoTransports = window.rtcEchoTransports || []).push(transport);
    (window.rtcEchoRemoteTypes = window.rtcEchoRemoteTypes || []).push(remote ? remote.candidateType : "unknown");
    log("connected over " + transport + " to a " + (remote ? remote.candidateType : "unknown") + " candidate");
    resolve();
  }));
  const channels = setup(pc);
  await pc.setLocalDescription(await pc.createOffer());
  (window.rtcEchoOffers = window.rtcEchoOffers || []).push(pc.localDescription.sdp);
  const session = await exchange(pc, "/offer");
  return {pc, channels, session, noted};
}

// Posts our local description (candidates gathered) to `url` and applies the answer; the
// server names the session's own URL (for later offers) in the Location header.
async function exchange(pc, url) {
  await new Promise((resolve) => {
    if (pc.iceGatheringState === "complete") return resolve();
    pc.addEventListener("icegatheringstatechange", () => { if (pc.iceGatheringState === "complete") resolve(); });
    setTimeout(resolve, 3000);
  });
  const response = await fetch(url, {method: "POST", headers: {"Content-Type": "application/json"},
                                     body: JSON.stringify(pc.localDescription)});
  if (!response.ok) throw new Error("POST " + url + ": " + response.status + " " + await response.text());
  await pc.setRemoteDescription(await response.json());
  return response.headers.get("Location");
}

const ufragOf = (sdp) => (/a=ice-ufrag:(\S+)/.exec(sdp) || [])[1];

// The transport's selected-pair changes and our ICE ufrag, from getStats().
async function transportStats(pc) {
  let found = {};
  (await pc.getStats()).forEach((report) => { if (report.type === "transport") found = report; });
  return found;
}

// A channel or connection may reach its state before the test attaches its handler:
// on loopback ICE, DTLS and SCTP can finish before setRemoteDescription's promise
// resolves on the page, and an event that fired with no handler never comes again.
function whenOpen(channel, then) {
  if (channel.readyState === "open") then();
  else channel.addEventListener("open", then, {once: true});
}

function within(ms, promise) {
  return Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), ms))]);
}

// Congestion control as a browser sees it (tests/interop/browser_bandwidth.sh): the fake
// camera at 640x480, 30 fps, sent through the impairment relay at 127.0.0.1:VIA - the
// offer carries no candidates of ours and the answer's host candidate is moved to the
// relay, so every packet crosses it - and echoed back the same way, for SECONDS. Once a
// second: the selected pair's availableOutgoingBitrate, the video sent (bit/s) and the
// echo decoded (frames/s), in window.rtcEchoBandwidth.
async function bandwidth(via, seconds) {
  const stream = await navigator.mediaDevices.getUserMedia({video: {width: 1280, height: 720, frameRate: 30}});
  const pc = new RTCPeerConnection({iceServers: [], bundlePolicy: "max-bundle"});
  const echoed = new MediaStream();
  pc.addTrack(stream.getVideoTracks()[0], stream);
  pc.ontrack = (event) => echoed.addTrack(event.track);
  document.getElementById("echo").srcObject = echoed;
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((resolve) => {
    if (pc.iceGatheringState === "complete") return resolve();
    pc.addEventListener("icegatheringstatechange", () => { if (pc.iceGatheringState === "complete") resolve(); });
    setTimeout(resolve, 3000);
  });
  const offer = pc.localDescription.sdp.split("\r\n").filter((line) => !line.startsWith("a=candidate") &&
                                                                    line !== "a=end-of-candidates").join("\r\n");
  const response = await fetch("/offer", {method: "POST", headers: {"Content-Type": "application/json"},
                                          body: JSON.stringify({type: "offer", sdp: offer})});
  if (!response.ok) throw new Error("POST /offer: " + response.status);
  const answer = await response.json();
  answer.sdp = answer.sdp.replace(/(a=candidate:\S+ \d+ udp \d+ 127\.0\.0\.1 )\d+( typ host)/gi, "$1" + via + "$2");
  await pc.setRemoteDescription(answer);
  window.rtcEchoBandwidth = [];
  let last = null;
  for (let second = 0; second <= seconds; ++second) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const stats = await pc.getStats();
    const now = {at: performance.now(), sent: 0, decoded: 0, available: null, width: 0, fps: 0};
    stats.forEach((report) => {
      if (report.type === "outbound-rtp" && report.kind === "video") {
        now.sent = report.bytesSent + (report.headerBytesSent || 0);
        now.width = report.frameWidth || 0;
        now.fps = report.framesPerSecond || 0;
      }
      if (report.type === "inbound-rtp" && report.kind === "video") now.decoded = report.framesDecoded || 0;
      if (report.type === "transport" && stats.has(report.selectedCandidatePairId)) {
        now.available = stats.get(report.selectedCandidatePairId).availableOutgoingBitrate ?? null;
      }
    });
    if (last) {
      const elapsed = (now.at - last.at) / 1000;
      window.rtcEchoBandwidth.push({second, available: now.available, sentBps: (now.sent - last.sent) * 8 / elapsed,
                                    echoFps: (now.decoded - last.decoded) / elapsed, width: now.width, sentFps: now.fps});
      log("t=" + second + " s: available " + now.available + " bit/s, sent " + Math.round((now.sent - last.sent) * 8 / elapsed) +
          " bit/s at " + now.width + " px " + now.fps + " fps, echo decoded " + ((now.decoded - last.decoded) / elapsed).toFixed(1) + " fps");
    }
    last = now;
  }
  pc.close();
}

const tests = {
  0: async () => {
    const {pc, noted} = await connect((pc) => [pc.createDataChannel("rtc-echo-connect")]);
    await new Promise((resolve, reject) => {
      const check = () => {
        if (pc.connectionState === "connected") resolve();
        if (pc.connectionState === "failed") reject(new Error("connection failed"));
      };
      pc.addEventListener("connectionstatechange", check);
      check();
    });
    await noted;
    pc.close();
  },
  1: async () => {
    const greeting = "rtc-echo says hello";
    const {pc, channels: [channel]} = await connect((pc) => [pc.createDataChannel("rtc-echo")]);
    // What a timeout leaves behind says where the echo stopped.
    window.rtcEchoWhere = () => "connection " + pc.connectionState + ", sctp " + (pc.sctp ? pc.sctp.state : "none") +
        ", channel " + channel.readyState;
    await new Promise((resolve, reject) => {
      whenOpen(channel, () => channel.send(greeting));
      channel.onmessage = (event) => event.data === greeting ? resolve() : reject(new Error("the echo differs"));
    });
    pc.close();
  },
  2: async (codec, option) => {
    const audio = option === "red" ? option : undefined;
    const simulcast = option === "simulcast";
    const size = simulcast ? {width: 960, height: 540} : {width: 320, height: 240};
    const stream = await navigator.mediaDevices.getUserMedia({video: size, audio: true});
    const echoed = new MediaStream();
    const {pc} = await connect((pc) => {
      // Video first: with max-bundle, Firefox then offers the audio (and the data) as
      // bundle-only sections (port 0), which the server must take and echo.
      for (const track of [...stream.getVideoTracks(), ...stream.getAudioTracks()]) {
        if (simulcast && track.kind === "video") {
          // The lower layers capped, so that Chromium turns the top one on at about 700
          // kbit/s of estimate rather than 1.2 Mbit/s (a busy machine holds it lower).
          pc.addTransceiver(track, {streams: [stream], sendEncodings: [
              {rid: "q", scaleResolutionDownBy: 4, maxBitrate: 100000},
              {rid: "h", scaleResolutionDownBy: 2, maxBitrate: 250000}, {rid: "f"}]});
        } else {
          pc.addTrack(track, stream);
        }
      }
      if (codec) {
        const wanted = RTCRtpReceiver.getCapabilities("video").codecs.filter(
            (c) => c.mimeType === "video/" + codec || c.mimeType === "video/rtx");
        pc.getTransceivers().find((t) => t.sender.track && t.sender.track.kind === "video").setCodecPreferences(wanted);
      }
      if (audio === "red") {
        const codecs = RTCRtpReceiver.getCapabilities("audio").codecs;
        const red = codecs.filter((c) => c.mimeType === "audio/red");
        pc.getTransceivers().find((t) => t.sender.track && t.sender.track.kind === "audio")
            .setCodecPreferences([...red, ...codecs.filter((c) => c.mimeType !== "audio/red")]);
      }
      pc.ontrack = (event) => echoed.addTrack(event.track);
      return [pc.createDataChannel("rtc-echo-connect")];
    });
    const video = document.getElementById("echo");
    video.srcObject = echoed;
    window.rtcEchoFrames = 0;
    await new Promise((resolve) => {
      const count = () => {
        if (++window.rtcEchoFrames >= 30) return resolve();
        video.requestVideoFrameCallback(count);
      };
      video.requestVideoFrameCallback(count);
    });
    // The echoed audio arrives and decodes too.
    let samples = 0;
    for (let i = 0; i < 50 && samples < 48000; ++i) {
      (await pc.getStats()).forEach((report) => {
        if (report.type === "inbound-rtp" && report.kind === "audio") samples = report.totalSamplesReceived || 0;
      });
      if (samples < 48000) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (samples < 48000) throw new Error("echoed audio: " + samples + " samples received");
    if (codec) {
      // Both ways in the codec asked for: what the browser encoded, and what it decoded.
      const used = {};
      const stats = await pc.getStats();
      stats.forEach((report) => {
        if ((report.type === "outbound-rtp" || report.type === "inbound-rtp") && stats.has(report.codecId)) {
          used[report.type + " " + report.kind] = stats.get(report.codecId).mimeType;
        }
      });
      (window.rtcEchoCodecs = window.rtcEchoCodecs || {})[codec + (option ? "-" + option : "")] = used;
      // (Audio in RED: Chromium's stats name the Opus inside; the server checks the RED.)
      for (const direction of ["outbound-rtp", "inbound-rtp"]) {
        if (used[direction + " video"] !== "video/" + codec) throw new Error(direction + " video in " + used[direction + " video"]);
      }
    }
    if (simulcast) {
      // Every encoding sent 45 frames (the server decodes 30 of each; the top one starts
      // once the bandwidth estimate has room for it). Each rid's figures are the largest
      // seen: on a busy machine Chromium may drop a layer for a while (CPU adaptation).
      const layers = {};
      const done = () => Object.keys(layers).length === 3 && Object.values(layers).every((l) => l.framesSent >= 45);
      for (let i = 0; i < 250 && !done(); ++i) {
        (await pc.getStats()).forEach((report) => {
          if (report.type !== "outbound-rtp" || report.kind !== "video" || !report.rid) return;
          const seen = layers[report.rid] || {framesSent: 0};
          if ((report.framesSent || 0) >= seen.framesSent) {
            layers[report.rid] = {width: report.frameWidth || 0, height: report.frameHeight || 0, framesSent: report.framesSent || 0};
          }
        });
        if (!done()) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      window.rtcEchoSimulcast = layers;
      const sent = Object.entries(layers).map(([rid, l]) => rid + " " + l.width + "x" + l.height + " (" + l.framesSent + " frames)").join(", ");
      log("simulcast sent: " + sent);
      if (!done()) throw new Error("not every encoding sent 45 frames: " + sent);
    }
    log("type 2" + (codec ? " (" + codec + (option ? ", " + option : "") + ")" : "") + ": " + window.rtcEchoFrames + " echoed frames rendered, " +
        samples + " echoed audio samples");
    window.rtcEchoMedia = {pc, stream};  // kept open: the echoed video stays on the page
  },
  3: async () => {
    const kinds = [["stress-reliable", {}], ["stress-unordered-rtx0", {ordered: false, maxRetransmits: 0}],
                   ["stress-lifetime", {maxPacketLifeTime: 3000}]];
    const sizes = [1, 7, 100, 1000, 1200, 4096, 16384, 65528];  // + round (0-4): no two alike
    const {pc, channels} = await connect((pc) => kinds.map(([label, init]) => pc.createDataChannel(label, init)));
    const runs = channels.map((channel, index) => new Promise((resolve, reject) => {
      channel.binaryType = "arraybuffer";
      const sent = new Map();
      for (let round = 0; round < 5; ++round) {
        for (const base of sizes) {
          const size = base + round;
          const bytes = new Uint8Array(size);
          for (let i = 0; i < size; ++i) bytes[i] = (i * 31 + index * 7 + round) & 0xff;
          sent.set("b" + size, bytes);
          sent.set("t" + size, "x".repeat(size - 1) + String.fromCharCode(65 + index));
        }
      }
      let received = 0;
      whenOpen(channel, () => { for (const [key, value] of sent) channel.send(value); });
      channel.onmessage = (event) => {
        const binary = typeof event.data !== "string";
        const data = binary ? new Uint8Array(event.data) : event.data;
        const expected = sent.get((binary ? "b" : "t") + data.length);
        const same = expected !== undefined &&
            (binary ? expected.every((byte, i) => byte === data[i]) : expected === data);
        if (!same) return reject(new Error(channel.label + ": an echo matches nothing sent"));
        if (++received === sent.size) resolve(received);
      };
      if (index > 0) setTimeout(() => received > 0 ? resolve(received) : reject(new Error(channel.label + ": nothing came back")), 8000);
    }));
    await Promise.all(runs);
    pc.close();
  },
  // Not an echo-convention type: restartIce() mid-call on a channel echoing a message
  // every 20 ms; the restart renegotiates through the session URL, a new pair is selected
  // with new credentials on both sides, and every message comes back once, in order.
  restart: async () => {
    const {pc, channels: [channel], session} = await connect((pc) => [pc.createDataChannel("rtc-echo-restart")]);
    if (!session) throw new Error("the answer named no session URL (Location)");
    let sent = 0, echoed = 0, outOfOrder = 0;
    channel.onmessage = (event) => { if (event.data !== String(echoed++)) ++outOfOrder; };
    await new Promise((resolve) => whenOpen(channel, resolve));
    const timer = setInterval(() => channel.send(String(sent++)), 20);
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const before = await transportStats(pc);
      const ufrags = [ufragOf(pc.localDescription.sdp), ufragOf(pc.remoteDescription.sdp)];
      window.rtcEchoWhere = () => "restart: " + echoed + "/" + sent + " echoed";
      pc.restartIce();
      await pc.setLocalDescription(await pc.createOffer());
      await exchange(pc, session);
      if (ufragOf(pc.localDescription.sdp) === ufrags[0]) throw new Error("our offer kept its ICE ufrag");
      if (ufragOf(pc.remoteDescription.sdp) === ufrags[1]) throw new Error("the answer kept the server's ICE ufrag");
      // A pair selected again through the new credentials. (Firefox has no transport
      // stats: there only the echo across the restart is checked.)
      for (let i = 0; i < 100 && before.selectedCandidatePairChanges !== undefined; ++i) {
        const now = await transportStats(pc);
        if (now.selectedCandidatePairChanges > before.selectedCandidatePairChanges &&
            now.iceLocalUsernameFragment === ufragOf(pc.localDescription.sdp)) break;
        if (i === 99) throw new Error("no pair selected with the new credentials");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      clearInterval(timer);
    }
    for (let i = 0; i < 100 && echoed < sent; ++i) await new Promise((resolve) => setTimeout(resolve, 50));
    if (echoed !== sent || outOfOrder !== 0) throw new Error(echoed + " of " + sent + " echoed, " + outOfOrder + " out of order");
    if (pc.connectionState !== "connected") throw new Error("connection " + pc.connectionState);
    log("restart: " + sent + " messages echoed across restartIce()");
    pc.close();
  },
};

async function run(types) {
  for (const type of types) {
    window.rtcEchoWhere = null;
    try {
      const [name, codec, option] = String(type).split("-");
      await within(option === "simulcast" ? 40000 : 20000, tests[name](codec, option));
      window.rtcEchoResults[type] = "passed";
    } catch (error) {
      const where = window.rtcEchoWhere ? " (" + window.rtcEchoWhere() + ")" : "";
      window.rtcEchoResults[type] = "failed: " + error.message + where;
    }
    log("RESULT type=" + type + " " + window.rtcEchoResults[type]);
  }
  window.rtcEchoDone = true;
}
const allTypes = [0, 1, 2, 3, "restart"];
document.getElementById("run").onclick = () => run(allTypes);
if (location.hash === "#run") run(allTypes);
if (location.hash.startsWith("#bandwidth=")) {
  const [via, seconds] = location.hash.slice(11).split(",").map(Number);
  bandwidth(via, seconds).then(() => { window.rtcEchoDone = true; },
                               (error) => { window.rtcEchoError = error.message; window.rtcEchoDone = true; });
}
if (location.hash.startsWith("#run=")) {
  run(location.hash.slice(5).split(",").map((type) => /^[0-9]+$/.test(type) ? Number(type) : type));
}
</script>
</body></html>
)html";

}  // namespace rtcstack::echo

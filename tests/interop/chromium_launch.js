// Headless Chromium as the interop drivers start it: Debian's /usr/bin/chromium through
// playwright-core, a fresh profile of its own (removed by close()), the fake camera and
// microphone with their permission granted.
// Loopback only: Chromium gathers on 127.0.0.1 with --allow-loopback-in-peer-connection
// (it skips loopback by default), and rtc-echo server binds there alone. Its other host
// candidates are mDNS names; the checks it sends make them known.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");

// FAKE_DEVICE: the value of --use-fake-device-for-media-stream ("fps=30"), "" for none.
async function launchChromium(nodeModules, fakeDevice = "") {
  const { chromium } = require(path.resolve(nodeModules, "playwright-core"));
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "rtcstack-chromium-"));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--disable-quic", "--allow-loopback-in-peer-connection",
           "--use-fake-device-for-media-stream" + (fakeDevice ? "=" + fakeDevice : ""), "--use-fake-ui-for-media-stream"],
  });
  const close = async () => {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return { browser, close };
}

module.exports = { launchChromium };

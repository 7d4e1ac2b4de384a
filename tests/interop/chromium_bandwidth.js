// Headless Chromium runs the page's congestion-control call (tools/rtc-echo/page.h,
// "#bandwidth=VIA,SECONDS"): its fake camera at 640x480 and 30 fps, through the relay at
// port VIA to rtc-echo server and echoed back. Prints each second's sample as a JSON line,
// then checks the last 15 s: Chromium's sent video under CAP_BPS and not collapsed (40 %
// of the cap or more); its availableOutgoingBitrate (its estimate, driven by rtcstack's
// transport-wide feedback) within 10 % of the cap on average - libwebrtc's estimate climbs
// up to 1.5 times what it sends until over-use cuts it, a sawtooth around the link; and
// the echo rtcstack paces back decoded at 25 fps or more. A screenshot goes to SCREENSHOT.
// Usage: node chromium_bandwidth.js NODE_MODULES_DIR URL VIA SECONDS CAP_BPS SCREENSHOT
"use strict";
const { launchChromium } = require("./chromium_launch.js");

(async () => {
  const [url, via, seconds, cap, screenshot] = process.argv.slice(3);
  const { browser, close } = await launchChromium(process.argv[2], "fps=30");
  try {
    const page = await browser.newPage();
    await page.goto(url + "/#bandwidth=" + via + "," + seconds);
    await page.waitForFunction(() => window.rtcEchoDone === true, null, { timeout: (Number(seconds) + 60) * 1000 });
    const error = await page.evaluate(() => window.rtcEchoError);
    if (error) throw new Error(error);
    const samples = await page.evaluate(() => window.rtcEchoBandwidth);
    for (const sample of samples) console.log(JSON.stringify(sample));
    await page.screenshot({ path: screenshot });
    const last = samples.slice(-15);
    const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
    const available = mean(last.map((s) => s.available ?? Infinity));
    const sent = mean(last.map((s) => s.sentBps));
    const fps = mean(last.map((s) => s.echoFps));
    const verdict = {availableOutgoingBitrate: Math.round(available), sentBps: Math.round(sent), echoFps: +fps.toFixed(1),
                     cap: Number(cap)};
    console.log("chromium through a " + cap + " bit/s relay, last 15 s: " + JSON.stringify(verdict));
    const ok = last.length === 15 && available <= 1.1 * Number(cap) && sent <= Number(cap) && sent >= 0.4 * Number(cap) &&
               fps >= 25;
    process.exitCode = ok ? 0 : 1;
  } finally {
    await close();
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});

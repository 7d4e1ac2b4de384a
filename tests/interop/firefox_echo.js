// Headless Firefox ESR (Debian's /usr/bin/firefox-esr, driven by puppeteer-core over
// WebDriver BiDi) loads the page rtc-echo server serves at GET / and runs echo types 0-3
// and an ICE restart, type 2 with Firefox's fake camera and microphone. The page asks for max-bundle, so
// Firefox offers every section after the first as bundle-only (port 0, RFC 8843 §6);
// type 2 passes only if rtcstack took the bundle-only audio and echoed it back.
// Usage: node firefox_echo.js NODE_MODULES_DIR URL SCREENSHOT
// Prints the results as JSON; exits 0 only if every type passed and the offers were
// bundle-only.
"use strict";
const path = require("path");
const puppeteer = require(path.resolve(process.argv[2], "puppeteer-core"));

(async () => {
  const url = process.argv[3];
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: "/usr/bin/firefox-esr",
    headless: true,
    extraPrefsFirefox: {
      "media.navigator.streams.fake": true,             // fake camera and microphone
      "media.navigator.permission.disabled": true,
      "media.peerconnection.ice.loopback": true,        // gather on 127.0.0.1 as well
      "media.peerconnection.ice.obfuscate_host_addresses": false,  // addresses, not mDNS names
      "media.autoplay.default": 0,
      "network.captive-portal-service.enabled": false,  // nothing to ask the closed network
      "app.update.enabled": false,
    },
  });
  try {
    const page = await browser.newPage();
    await page.goto(url + "/#run");
    await page.waitForFunction(() => window.rtcEchoDone === true, { timeout: 90000 });
    const results = await page.evaluate(() => window.rtcEchoResults);
    const frames = await page.evaluate(() => window.rtcEchoFrames);
    const offers = await page.evaluate(() => window.rtcEchoOffers);
    await page.screenshot({ path: process.argv[4] });
    const mediaOffer = offers[2] || "";
    const bundleOnly = /m=audio 0 [^\n]*\n(?:[^m][^\n]*\n)*a=bundle-only/.test(mediaOffer.replace(/\r/g, ""));
    console.log("firefox " + JSON.stringify(results) + "; echoed video frames rendered: " + frames +
                "; type 2 offered its audio bundle-only: " + bundleOnly + "; screenshot " + process.argv[4]);
    process.exitCode = Object.values(results).every((result) => result === "passed") &&
        Object.keys(results).length === 5 && bundleOnly ? 0 : 1;
  } finally {
    await browser.close();
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});

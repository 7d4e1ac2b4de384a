// Headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) loads the page
// rtc-echo server serves at GET / and runs echo types 0-3 and an ICE restart from the
// browser, type 2 with Chromium's fake camera and microphone; a screenshot of the page (the echoed video on
// it) is saved to SCREENSHOT. TYPES ("0,1,3") runs those alone; TRANSPORT ("tcp")
// requires every connection's selected pair to be over it, REMOTE_TYPE ("host") its
// remote candidate to be of that type ("" for either: no requirement).
// Usage: node chromium_echo.js NODE_MODULES_DIR URL SCREENSHOT [TYPES [TRANSPORT [REMOTE_TYPE]]]
// Prints the results as JSON; exits 0 only if every type passed.
"use strict";
const { launchChromium } = require("./chromium_launch.js");

(async () => {
  const url = process.argv[3];
  const { browser, close } = await launchChromium(process.argv[2], "");
  try {
    const page = await browser.newPage();
    const types = process.argv[5];
    const transport = process.argv[6];
    const remoteType = process.argv[7];
    await page.goto(url + (types ? "/#run=" + types : "/#run"));
    await page.waitForFunction(() => window.rtcEchoDone === true, null, { timeout: 90000 });
    const results = await page.evaluate(() => window.rtcEchoResults);
    const frames = await page.evaluate(() => window.rtcEchoFrames);
    const transports = await page.evaluate(() => window.rtcEchoTransports || []);
    const remoteTypes = await page.evaluate(() => window.rtcEchoRemoteTypes || []);
    await page.screenshot({ path: process.argv[4] });
    console.log("chromium " + JSON.stringify(results) + "; echoed video frames rendered: " + frames +
                "; selected pairs over " + JSON.stringify(transports) + " to " + JSON.stringify(remoteTypes) +
                " candidates; screenshot " + process.argv[4]);
    const expected = types ? types.split(",").length : 5;
    const overTransport = !transport ||
        (transports.length > 0 && transports.every((t) => t === transport || t.startsWith(transport + "/")));
    const toRemoteType = !remoteType || (remoteTypes.length > 0 && remoteTypes.every((t) => t === remoteType));
    process.exitCode = Object.values(results).every((result) => result === "passed") &&
        Object.keys(results).length === expected && overTransport && toRemoteType ? 0 : 1;
  } finally {
    await close();
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});

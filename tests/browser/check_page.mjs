// Opens a published page from disk in the system's headless Chromium and
// reports, as JSON on stdout, what a reader's browser makes of it: every
// request it made, axe-core's accessibility violations, whether it scrolls
// sideways on a phone, and screenshots at 1280 and 360 pixels wide and a
// printout as PDF. The test in tests/integration/publish.rs judges the report.
//
// Usage: node check_page.mjs PAGE.html OUT_DIR
// Exit 3 when the browser ($CHROMIUM, else Debian's) is not installed.
import { join, resolve } from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { chromium } from "./launch.mjs";

const [page_path, out] = process.argv.slice(2);
if (!page_path || !out) {
  console.error("usage: node check_page.mjs PAGE.html OUT_DIR");
  process.exit(2);
}
const axe_script = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const url = pathToFileURL(resolve(page_path)).href;
const { browser, close } = await chromium();

const report = { url, requests: [], blocked: [], console: [], bytes: {} };
try {
  const page = await browser.newPage();
  // Every request the page makes is recorded; any that would leave the
  // machine is refused, so a page that needs one shows it.
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    report.requests.push(request.url());
    if (request.url().startsWith("file:") || request.url().startsWith("data:")) {
      request.continue();
    } else {
      report.blocked.push(request.url());
      request.abort();
    }
  });

  // What each file the page loaded weighs, once per file: the first view's
  // weight is their sum.
  page.on("response", async (response) => {
    try {
      report.bytes[response.url()] = (await response.buffer()).length;
    } catch {
      // A response without a body (a redirect) weighs nothing.
    }
  });
  // What the page's console says: a font the browser refused, for one.
  page.on("console", (message) => report.console.push(`${message.type()}: ${message.text()}`));
  page.on("pageerror", (error) => report.console.push(`error: ${error.message}`));
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(url, { waitUntil: "networkidle0" });
  await page.evaluate(() => document.fonts.ready);
  report.title = await page.title();
  report.lang = await page.evaluate(() => document.documentElement.lang);
  report.direction = await page.evaluate(() => getComputedStyle(document.body).direction);
  // A page that needs no JavaScript has none, whatever its names say.
  report.scripts = await page.evaluate(() => document.scripts.length);
  report.fonts = await page.evaluate(() =>
    [...document.fonts].filter((f) => f.status === "loaded").map((f) => `${f.family} ${f.weight} ${f.style}`),
  );
  await page.screenshot({ path: join(out, "desktop.png"), fullPage: true });
  await page.screenshot({ path: join(out, "desktop-top.png") });

  // A phone's viewport reloads the page: wait for its fonts again.
  await page.setViewport({ width: 360, height: 740, isMobile: true, hasTouch: true });
  await page.waitForNetworkIdle();
  await page.evaluate(() => document.fonts.ready);
  report.phone_overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  await page.screenshot({ path: join(out, "phone.png"), fullPage: true });
  await page.screenshot({ path: join(out, "phone-top.png") });

  // axe-core is read from disk and injected, so it makes no request either.
  await page.setViewport({ width: 1280, height: 900 });
  await page.addScriptTag({ path: axe_script });
  const axe = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => n.html.slice(0, 160)),
    }));
  });
  report.violations = axe;

  await page.emulateMediaType("print");
  report.print_hidden = await page.evaluate(() =>
    [...document.querySelectorAll("nav, .download")].every((e) => getComputedStyle(e).display === "none"),
  );
  await page.pdf({ path: join(out, "printed.pdf"), format: "A4", printBackground: false });
} finally {
  await close();
}
console.log(JSON.stringify(report, null, 2));

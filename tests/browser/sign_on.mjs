// Signs a letter through `openletter serve` in the system's headless
// Chromium, as a person and a moderator do, and reports as JSON on stdout
// what happened at each step and axe-core's violations on each page; the
// test in tests/integration/serve.rs judges the report.
//
// Usage: node sign_on.mjs BASE_URL MAIL_DIR OUT_DIR MODERATOR PASSWORD NAME EMAIL
// Exit 3 when the browser ($CHROMIUM, else Debian's) is not installed.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { chromium } from "./launch.mjs";

const [base, mail_dir, out, moderator, password, name, email] = process.argv.slice(2);
if (!email) {
  console.error("usage: node sign_on.mjs BASE_URL MAIL_DIR OUT_DIR MODERATOR PASSWORD NAME EMAIL");
  process.exit(2);
}
const axe_script = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const { browser, close } = await chromium();

const report = { pages: {}, steps: {}, requests: [] };
try {
  const page = await browser.newPage();
  // The pages forbid scripts; axe is the test's, injected past the policy.
  await page.setBypassCSP(true);
  page.on("request", (request) => report.requests.push(request.url()));
  page.on("console", (message) => (report.console ??= []).push(`${message.type()}: ${message.text()}`));

  // Checks the page shown now with axe, and keeps its screenshots.
  const look = async (label) => {
    await page.setViewport({ width: 1280, height: 900 });
    await page.screenshot({ path: join(out, `${label}-1280.png`), fullPage: true });
    await page.setViewport({ width: 360, height: 740, isMobile: true, hasTouch: true });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    await page.screenshot({ path: join(out, `${label}-360.png`), fullPage: true });
    await page.setViewport({ width: 1280, height: 900 });
    const scripts = await page.evaluate(() => document.scripts.length);
    await page.addScriptTag({ path: axe_script });
    const violations = await page.evaluate(async () => {
      const result = await window.axe.run(document, { resultTypes: ["violations"] });
      return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.html.slice(0, 160)) }));
    });
    report.pages[label] = {
      url: page.url(),
      title: await page.title(),
      lang: await page.evaluate(() => document.documentElement.lang),
      direction: await page.evaluate(() => getComputedStyle(document.body).direction),
      scripts,
      overflow,
      violations,
    };
  };
  const text = () => page.evaluate(() => document.body.innerText);
  const submit = async (selector) => {
    await Promise.all([page.waitForNavigation(), page.click(selector)]);
  };
  const wait_for_mail = async () => {
    const file = join(mail_dir, "000001.txt");
    for (let i = 0; i < 300 && !existsSync(file); i++) await sleep(100);
    return readFileSync(file, "utf8");
  };
  const poll = async (path, present) => {
    for (let i = 0; i < 300; i++) {
      const body = await (await fetch(base + path)).text();
      if (body.includes(name) === present) return true;
      await sleep(200);
    }
    return false;
  };

  await page.goto(`${base}/sign`, { waitUntil: "networkidle0" });
  await look("sign");
  await page.type("#name", name);
  await page.type("#affiliation", "Université Exemple");
  await page.type("#email", email);
  await page.click("#listed");
  await submit("form button[type=submit]");
  report.steps.signed = await text();
  await look("signed");

  const mail = await wait_for_mail();
  const link = (what) => mail.match(new RegExp(`\\S+/${what}\\?t=[0-9a-f]+`))[0];
  const [confirm, withdraw] = [link("confirm"), link("withdraw")];

  // Opening the link shows a button and confirms nothing.
  await page.goto(confirm, { waitUntil: "networkidle0" });
  await look("confirm");
  await page.goto(`${base}/admin`, { waitUntil: "networkidle0" });
  await look("login");
  await page.type("#user", moderator);
  await page.type("#password", password);
  await submit("form button[type=submit]");
  report.steps.queue_before_confirming = (await text()).includes(name);

  // The button does.
  await page.goto(confirm, { waitUntil: "networkidle0" });
  await submit("form button[type=submit]");
  await look("confirmed");
  await page.goto(`${base}/admin`, { waitUntil: "networkidle0" });
  report.steps.queue_after_confirming = (await text()).includes(name);
  await look("queue");
  await submit("button[value=approve]");
  report.steps.approved = await text();
  report.steps.on_page = await poll("/", true);
  report.steps.in_json = await poll("/signatories.json", true);
  await page.goto(`${base}/sign`, { waitUntil: "networkidle0" });
  report.steps.count_shown = await page.$eval(".count", (e) => e.innerText);

  await page.goto(withdraw, { waitUntil: "networkidle0" });
  await look("withdraw");
  await submit("form button[type=submit]");
  report.steps.withdrawn = await text();
  report.steps.off_page = await poll("/", false);
} finally {
  await close();
}
console.log(JSON.stringify(report, null, 2));

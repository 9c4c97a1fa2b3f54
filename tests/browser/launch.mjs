// The system's headless Chromium, as every browser test starts it: a new
// empty profile, and no connection of its own to anywhere (background
// updates, sync, QUIC). Exits 3 when the browser ($CHROMIUM, else
// Debian's) is not installed, which the tests report as a missing checker.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer from "puppeteer-core";

export async function chromium() {
  const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
  if (!existsSync(executablePath)) {
    console.error(`no browser at ${executablePath} (Debian: chromium, or set CHROMIUM)`);
    process.exit(3);
  }
  const profile = mkdtempSync(join(tmpdir(), "openletter-chromium-"));
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    userDataDir: profile,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const close = async () => {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { browser, close };
}

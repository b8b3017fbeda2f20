import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's Chromium; the tests never download a browser (scripts/ensure-chromium.mjs installs this one). */
export const chromiumExecutable = "/usr/bin/chromium";

export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

export type TestBrowser = {
  context: BrowserContext;
  /** A new tab: its own sessionStorage, so its own console session. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
};

/** Launches headless Chromium with a fresh user data directory, removed again by close(). */
export async function launchChromium(): Promise<TestBrowser> {
  if (!existsSync(chromiumExecutable)) {
    throw new Error(`Chromium is missing at ${chromiumExecutable}: run \`node scripts/ensure-chromium.mjs\` (it installs Debian's chromium).`);
  }
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), "switchboard-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumExecutable,
    headless: true,
    args: chromiumArgs,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async newPage() {
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      return page;
    },
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

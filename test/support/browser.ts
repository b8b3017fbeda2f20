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

/** The console's login-session cookie (server/identity/login-sessions.ts), which opens new tabs signed in. */
export const loginCookieName = "switchboard_login";

export type NewTabOptions = {
  /**
   * Open the tab as another tab of the same person's browser: it keeps the login-session cookie,
   * so the console opens signed in as whoever logged in last. By default a tab is a browser of its
   * own (a fresh person or device): the cookie is deleted first, so the console asks to log in.
   */
  sameBrowserSession?: boolean;
};

export type TestBrowser = {
  context: BrowserContext;
  /** A new tab: its own sessionStorage, and (unless `sameBrowserSession`) no login session, so its own console session. */
  newPage(options?: NewTabOptions): Promise<Page>;
  close(): Promise<void>;
};

/**
 * Deletes the console's login-session cookie from the browser, as if this were another browser:
 * the next console page without a token of its own asks to log in. Tabs already signed in keep
 * their token.
 */
export function forgetLoginSession(context: BrowserContext): Promise<void> {
  return context.clearCookies({ name: loginCookieName });
}

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
    async newPage(options = {}) {
      if (!options.sameBrowserSession) await forgetLoginSession(context);
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

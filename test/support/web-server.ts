import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { build } from "vite";
import { afterAll, afterEach, beforeAll } from "vitest";
import { launchChromium, type NewTabOptions, type TestBrowser } from "./browser";
import { startTestServer, type TestServer, type TestServerOptions } from "./server";

const viteConfigFile = path.resolve(import.meta.dirname, "../../vite.config.ts");

/** Builds the web UI (vite.config.ts, every page) into a fresh temporary directory. */
export async function buildWebUi(): Promise<{ webRoot: string; remove(): void }> {
  const webRoot = mkdtempSync(path.join(os.tmpdir(), "switchboard-web-"));
  await build({ configFile: viteConfigFile, logLevel: "warn", build: { outDir: webRoot, emptyOutDir: true } });
  return { webRoot, remove: () => rmSync(webRoot, { recursive: true, force: true }) };
}

/** Like startTestServer(), and the app also serves the built UI from webRoot. */
export function startWebTestServer(
  webRoot: string,
  overrides: Record<string, string> = {},
  options: Omit<TestServerOptions, "webRoot"> = {},
): Promise<TestServer> {
  return startTestServer({ LOG_LEVEL: "warn", ...overrides }, { ...options, webRoot });
}

/**
 * A browser suite's lifecycle, registered in the calling test file: builds the web UI, starts
 * `start(webRoot)` and Chromium before the tests; pages opened with newPage() close after each
 * test; everything is taken down after the last.
 */
export function webUiSuite<Server extends { close(): Promise<void> }>(start: (webRoot: string) => Promise<Server>, timeoutMs = 180_000) {
  let server: Server | undefined;
  let browser: TestBrowser | undefined;
  let removeWebUi: (() => void) | undefined;
  const openPages: Page[] = [];
  beforeAll(async () => {
    const web = await buildWebUi();
    removeWebUi = web.remove;
    server = await start(web.webRoot);
    browser = await launchChromium();
  }, timeoutMs);
  afterEach(async () => {
    await Promise.all(openPages.splice(0).map((page) => page.close()));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    removeWebUi?.();
  });
  return {
    get server(): Server {
      if (!server) throw new Error("the suite's server starts in beforeAll");
      return server;
    },
    /** A new tab (its own sessionStorage; by default a browser of its own, see NewTabOptions), closed after the test. */
    async newPage(options?: NewTabOptions): Promise<Page> {
      if (!browser) throw new Error("the suite's browser starts in beforeAll");
      const page = await browser.newPage(options);
      openPages.push(page);
      return page;
    },
  };
}

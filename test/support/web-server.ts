import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { build } from "vite";
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

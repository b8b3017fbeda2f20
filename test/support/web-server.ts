import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { build } from "vite";
import { startServices, stopServices } from "../../server/boot";
import { createApp } from "../../server/http/app";
import { openTestDatabase } from "./database";
import { apiClient, type TestServer, testConfig, testPasswordCost } from "./server";

const viteConfigFile = path.resolve(import.meta.dirname, "../../vite.config.ts");

/** Builds the web UI (vite.config.ts, every page) into a fresh temporary directory. */
export async function buildWebUi(): Promise<{ webRoot: string; remove(): void }> {
  const webRoot = mkdtempSync(path.join(os.tmpdir(), "switchboard-web-"));
  await build({ configFile: viteConfigFile, logLevel: "warn", build: { outDir: webRoot, emptyOutDir: true } });
  return { webRoot, remove: () => rmSync(webRoot, { recursive: true, force: true }) };
}

/** Like startTestServer(), and the app also serves the built UI from webRoot. */
export async function startWebTestServer(webRoot: string, overrides: Record<string, string> = {}): Promise<TestServer> {
  const database = await openTestDatabase();
  const services = await startServices(testConfig({ LOG_LEVEL: "warn", ...overrides }), database, { passwordCost: testPasswordCost });
  const app = createApp(services, { webRoot });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    services,
    database,
    api: apiClient(`${url}/api/v1`),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await stopServices(services);
      await database.close();
    },
  };
}

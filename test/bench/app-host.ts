import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import { startServices, stopServices } from "../../server/boot";
import { loadConfig } from "../../server/config";
import type { DatabaseHandle } from "../../server/db/client";
import { createApp } from "../../server/http/app";
import type { Services } from "../../server/services";

/** A fixed key: the benchmark stores no secret worth protecting. */
export const benchEncryptionKey = Buffer.alloc(32, 11).toString("base64");
export const benchAppSecret = "bench-whatsapp-app-secret";

/** The environment the server runs with in the benchmark: production mode, as deployed. */
export function benchEnvironment(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: "production",
    DATA_DIR: os.tmpdir(),
    ENCRYPTION_KEY: benchEncryptionKey,
    LOG_LEVEL: "warn",
    DEMO: "off",
    WHATSAPP_APP_SECRET: benchAppSecret,
    ...overrides,
  };
}

export type InProcessApp = { url: string; services: Services; close(): Promise<void> };

/** The real app (startServices + createApp) on a random local port, over an open database; `environment` overrides benchEnvironment's. */
export async function startInProcessApp(database: DatabaseHandle, environment: Record<string, string> = {}): Promise<InProcessApp> {
  const services = await startServices(loadConfig(benchEnvironment(environment)), database);
  const app = createApp(services);
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`,
    services,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await stopServices(services);
    },
  };
}

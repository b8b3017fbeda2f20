import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startServices, stopServices } from "../../server/boot";
import { loadConfig } from "../../server/config";
import type { DatabaseHandle } from "../../server/db/client";
import { createApp } from "../../server/http/app";
import type { Services } from "../../server/services";
import { openTestDatabase } from "./database";

/** scrypt at a test cost: still the real KDF, a fraction of the production work. */
export const testPasswordCost = { N: 2 ** 10, r: 8, p: 1 };

export type TestServer = {
  url: string;
  services: Services;
  database: DatabaseHandle;
  api: ApiClient;
  close(): Promise<void>;
};

export type ApiResponse<T = any> = { status: number; body: T; headers: Headers; text: string };
export type ApiClient = (
  method: string,
  path: string,
  options?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
) => Promise<ApiResponse>;

/**
 * The configuration tests run with; `overrides` are environment variables. NODE_ENV=test turns on
 * nothing meant for development by itself: what the tests use (the sandbox provider) is chosen here.
 */
export function testConfig(overrides: Record<string, string> = {}) {
  return loadConfig({
    NODE_ENV: "test",
    DATA_DIR: ".test-tmp/data",
    LOG_LEVEL: "silent",
    ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
    SANDBOX_PROVIDER: "on",
    ...overrides,
  });
}

export type TestServerOptions = {
  /** Also serve the built web UI from here (see web-server.ts). */
  webRoot?: string;
  /** PUBLIC_URL is the server's own address, so it can call itself (the demo CRM). */
  ownPublicUrl?: boolean;
};

/** Starts the real app on a random port over a fresh test database. */
export async function startTestServer(overrides: Record<string, string> = {}, options: TestServerOptions = {}): Promise<TestServer> {
  // The port is bound first, so the configuration can know the server's own address.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const closeListener = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  };
  let database: DatabaseHandle | undefined;
  let services: Services;
  try {
    database = await openTestDatabase();
    const config = testConfig({ ...(options.ownPublicUrl ? { PUBLIC_URL: url } : {}), ...overrides });
    services = await startServices(config, database, { passwordCost: testPasswordCost });
  } catch (error) {
    await closeListener();
    await database?.close();
    throw error;
  }
  server.on("request", createApp(services, { webRoot: options.webRoot }));
  const openDatabase = database;
  return {
    url,
    services,
    database: openDatabase,
    api: apiClient(`${url}/api/v1`),
    async close() {
      await closeListener();
      await stopServices(services);
      await openDatabase.close();
    },
  };
}

export function apiClient(baseUrl: string): ApiClient {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] ??= "application/json";
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get("content-type") ?? "").includes("json") && text) parsed = JSON.parse(text);
    return { status: response.status, body: parsed as any, headers: response.headers, text };
  };
}

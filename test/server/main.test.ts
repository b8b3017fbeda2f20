import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import os from "node:os";
import path from "node:path";

// The production entry point, as `npm start` runs it (without the build step).
const repositoryRoot = path.resolve(import.meta.dirname, "../..");

describe("server/main.ts", () => {
  it("exits with a clear message when its port is taken, instead of running without listening", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "0.0.0.0", resolve));
    const port = (blocker.address() as { port: number }).port;
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "switchboard-main-"));
    try {
      const { DATABASE_URL: _engineOfTheSuite, ...environment } = process.env;
      const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
        cwd: repositoryRoot,
        env: { ...environment, NODE_ENV: "test", PORT: String(port), DATA_DIR: dataDir, DEMO: "off", LOG_LEVEL: "silent" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
      expect(code).toBe(1);
      expect(output).toContain(`Switchboard could not listen on port ${port}`);
      expect(output).toContain("EADDRINUSE");
      expect(output).not.toContain("Switchboard: http");
    } finally {
      blocker.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("npm start's demo and the demo CRM", () => {
  /** `npm start` in a data directory: the entry point with --development, on a free port; resolves once `ready` shows in its output. */
  async function start(dataDir: string, port: number, ready: RegExp) {
    const { DATABASE_URL: _engineOfTheSuite, NODE_ENV: _test, PUBLIC_URL: _public, ...environment } = process.env;
    const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts", "--development"], {
      cwd: repositoryRoot,
      env: { ...environment, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    await new Promise<void>((resolve, reject) => {
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        if (ready.test(output)) resolve();
      };
      child.stdout.on("data", read);
      child.stderr.on("data", read);
      void exited.then((code) => reject(new Error(`exited ${code} before ${ready}:\n${output}`)));
    });
    return {
      output: () => output,
      async stop() {
        child.kill("SIGTERM");
        return exited;
      },
    };
  }

  async function freePort(): Promise<number> {
    const probe: Server = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    return port;
  }

  it("connects the demo workspace at first start through the journey (sign-in, Connect, consent, callback), and leaves it on the next start", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "switchboard-demo-start-"));
    const port = await freePort();
    const api = async (method: string, route: string, options: { token?: string; body?: unknown } = {}) => {
      const response = await fetch(`http://127.0.0.1:${port}/api/v1${route}`, {
        method,
        headers: { "content-type": "application/json", ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
      return { status: response.status, body: response.status === 204 ? null : await response.json() };
    };
    const ownerLogin = async () =>
      (await api("POST", "/sessions", { body: { email: "owner@demo.switchboard.test", password: "switchboard-demo" } })).body.token as string;
    try {
      const first = await start(dataDir, port, /(CRM simulator \(the Pipedrive panel.*|Demo CRM: .*failed.*)\n/);
      expect(first.output()).toContain("Demo CRM: the demo workspace connected to it through its consent page");
      expect(first.output()).toContain(`CRM simulator (the Pipedrive panel on the demo CRM's deal): http://localhost:${port}/simulator/`);
      const owner = await ownerLogin();
      const integrations = await api("GET", "/integrations", { token: owner });
      expect(integrations.body.pipedrive).toMatchObject({ status: "connected", companyId: 67890, servedBy: 101 });
      const ownerId = (await api("GET", "/me", { token: owner })).body.member.id;
      const connects = await api("GET", "/audit-log?action=pipedrive.connect", { token: owner });
      expect(connects.body.data).toEqual([expect.objectContaining({ actorId: ownerId, details: expect.objectContaining({ pipedriveUserId: 101 }) })]);
      expect(await first.stop()).toBe(0);

      const second = await start(dataDir, port, /(CRM simulator \(the Pipedrive panel.*|Demo CRM: .*failed.*)\n/);
      expect(second.output()).toContain("Demo CRM: the demo workspace is connected to it");
      const again = await api("GET", "/audit-log?action=pipedrive.connect", { token: await ownerLogin() });
      expect(again.body.data).toHaveLength(1);
      const own = await api("GET", "/audit-log?action=pipedrive.connect_individual", { token: await ownerLogin() });
      expect(own.body.data).toHaveLength(4);
      expect(await second.stop()).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});

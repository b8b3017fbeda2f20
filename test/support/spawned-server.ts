import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";

// The production entry point, as `npm start` runs it (without the build step), on one DATA_DIR.
const repositoryRoot = path.resolve(import.meta.dirname, "../..");

export type SpawnedServer = { child: ChildProcess; output: () => string; outcome: Promise<"listening" | number | null> };

/**
 * Starts server/main.ts on embedded PGlite in `dataDir`; `outcome` settles once it listens or exits.
 * NODE_ENV=test with the sandbox provider on, unless `extraEnv` says otherwise (undefined unsets a
 * variable); `args` follow server/main.ts (`--development`, as `npm start` passes).
 */
export function spawnServer(dataDir: string, port: number, extraEnv: Record<string, string | undefined> = {}, args: string[] = []): SpawnedServer {
  const { DATABASE_URL: _engineOfTheSuite, ...environment } = process.env;
  const env = {
    ...environment,
    NODE_ENV: "test",
    PORT: String(port),
    DATA_DIR: dataDir,
    DEMO: "off",
    SANDBOX_PROVIDER: "on",
    LOG_LEVEL: "silent",
    ...extraEnv,
  };
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts", ...args], {
    cwd: repositoryRoot,
    env: Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined)),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const outcome = new Promise<"listening" | number | null>((resolve) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Switchboard: http")) resolve("listening");
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    child.once("exit", (code) => resolve(code));
  });
  return { child, output: () => output, outcome };
}

/** Stops a spawned server the way Ctrl-C does and returns its exit code. */
export async function stopServer(server: SpawnedServer): Promise<number | null> {
  if (server.child.exitCode !== null) return server.child.exitCode;
  const exited = new Promise<number | null>((resolve) => server.child.once("exit", resolve));
  server.child.kill("SIGINT");
  return exited;
}

export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Runs a command-line script (an npm script's target) as `npm run` would, on embedded PGlite in `dataDir`. */
export async function runScript(script: string, args: string[], dataDir: string, extraEnv: Record<string, string> = {}) {
  const { DATABASE_URL: _engineOfTheSuite, ...env } = process.env;
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
      cwd: repositoryRoot,
      env: { ...env, NODE_ENV: "test", DATA_DIR: dataDir, LOG_LEVEL: "silent", ...extraEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => resolve({ code, output }));
  });
}

/** One request to a spawned server's API. */
export async function callApi(port: number, method: string, route: string, options: { token?: string; body?: unknown } = {}) {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1${route}`, {
    method,
    headers: { "content-type": "application/json", ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** A workspace made the way a team makes one: signup, a sandbox number, customers writing in, an invitation. */
export async function seedWorkspaceThroughApi(port: number) {
  const credentials = { email: "ada@acme.test", password: "a long enough passphrase" };
  const owner = await callApi(port, "POST", "/signup", { body: { workspaceName: "Acme", name: "Ada Owner", ...credentials } });
  if (owner.status !== 201) throw new Error(`signup: ${owner.status}`);
  const token = owner.body.token as string;
  const account = await callApi(port, "POST", "/whatsapp-accounts", { token, body: { provider: "sandbox", phoneNumber: "+1 555 010 2000" } });
  for (const [from, text] of [
    ["+44 20 7946 0958", "Is the blue one in stock?"],
    ["+44 20 7946 0959", "Where is my order?"],
    ["+44 20 7946 0958", "Hello?"],
  ]) {
    const inbound = await callApi(port, "POST", `/whatsapp-accounts/${account.body.account.id}/sandbox/inbound`, { token, body: { from, text } });
    if (inbound.status !== 201) throw new Error(`inbound: ${inbound.status}`);
  }
  const invitation = await callApi(port, "POST", "/invitations", { token, body: { email: "grace@acme.test", roleId: "admin" } });
  if (invitation.status !== 201) throw new Error(`invitation: ${invitation.status}`);
  return {
    credentials,
    chats: await callApi(port, "GET", "/chats", { token }),
    auditLog: await callApi(port, "GET", "/audit-log", { token }),
  };
}

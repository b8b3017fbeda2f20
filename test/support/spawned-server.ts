import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";

// The production entry point, as `npm start` runs it (without the build step), on one DATA_DIR.
const repositoryRoot = path.resolve(import.meta.dirname, "../..");

export type SpawnedServer = { child: ChildProcess; output: () => string; outcome: Promise<"listening" | number | null> };

/** Starts server/main.ts on embedded PGlite in `dataDir`; `outcome` settles once it listens or exits. */
export function spawnServer(dataDir: string, port: number, extraEnv: Record<string, string> = {}): SpawnedServer {
  const { DATABASE_URL: _engineOfTheSuite, ...environment } = process.env;
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: repositoryRoot,
    env: { ...environment, NODE_ENV: "test", PORT: String(port), DATA_DIR: dataDir, DEMO: "off", LOG_LEVEL: "silent", ...extraEnv },
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

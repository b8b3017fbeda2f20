import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { benchEnvironment } from "./app-host";

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export type ServerProcess = { pid: number; url: string; stop(): Promise<void> };

/** The first port from `port` up that nothing listens on (another program may hold the one asked for). */
export async function freePort(port: number, attempts = 50): Promise<number> {
  for (let candidate = port; candidate < port + attempts; candidate++) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.once("error", () => resolve(false));
      probe.listen(candidate, () => probe.close(() => resolve(true)));
    });
    if (free) return candidate;
  }
  throw new Error(`no free port in ${port}–${port + attempts - 1}`);
}

/**
 * Starts `server/main.ts` — the production entry point, unchanged — (or another `entry`) as its
 * own Node process on `port`, and resolves once it prints that it is listening. `node --import tsx` (not the tsx
 * CLI) keeps it one process, so its CPU time can be read from /proc/<pid>.
 */
export async function startServerProcess(
  port: number,
  databaseUrl: string,
  entry = "server/main.ts",
  environment: Record<string, string> = {},
  startupSeconds = 60,
): Promise<ServerProcess> {
  // A unique public URL, echoed by /openapi.json, proves the answers come from this process:
  // main.ts prints its banner even when listen() failed (Express 5 hands the error to the callback).
  const publicUrl = `http://127.0.0.1:${port}/bench-${randomBytes(4).toString("hex")}`;
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", entry], {
    cwd: repositoryRoot,
    env: { ...process.env, ...benchEnvironment({ PORT: String(port), DATABASE_URL: databaseUrl, PUBLIC_URL: publicUrl, ...environment }) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server on port ${port} did not start in ${startupSeconds}s:\n${output}`)), startupSeconds * 1000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Switchboard: ")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server on port ${port} exited with ${code}:\n${output}`));
    });
  });
  child.removeAllListeners("exit");
  const url = `http://127.0.0.1:${port}/api/v1`;
  const document = (await (await fetch(`${url}/openapi.json`)).json().catch(() => null)) as { servers?: { url: string }[] } | null;
  if (document?.servers?.[0]?.url !== `${publicUrl}/api/v1`) {
    child.kill("SIGKILL");
    throw new Error(`port ${port} is answered by another program, not the server just started:\n${output}`);
  }
  return {
    pid: child.pid as number,
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        child.once("exit", () => {
          clearTimeout(killer);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}

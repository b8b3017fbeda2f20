import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, type SpawnedServer, spawnServer, stopServer } from "../support/spawned-server";

/** The pid of a process that has certainly ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid as number;
}

const lockFile = (dataDir: string) => path.join(dataDir, "switchboard.lock");

describe("one owner of the data directory", { timeout: 180_000 }, () => {
  let dataDir: string;
  const started: SpawnedServer[] = [];
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "sb-lock-"));
  });
  afterEach(async () => {
    for (const server of started.splice(0)) await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("a second server on the same DATA_DIR (another port) refuses to start, naming the process that holds it", async () => {
    const first = spawnServer(dataDir, await freePort());
    started.push(first);
    expect(await first.outcome).toBe("listening");
    const holder = JSON.parse(readFileSync(lockFile(dataDir), "utf8"));
    expect(holder).toMatchObject({ pid: first.child.pid, host: os.hostname(), purpose: "server" });

    const second = spawnServer(dataDir, await freePort());
    started.push(second);
    expect(await second.outcome).toBe(1);
    const refusal = second.output().trim().split("\n");
    expect(refusal).toHaveLength(1);
    expect(refusal[0]).toContain(`in use by pid ${first.child.pid} on host ${os.hostname()} since ${holder.since}`);

    // The first keeps serving, and its clean shutdown gives the directory back.
    expect(await stopServer(first)).toBe(0);
    expect(existsSync(lockFile(dataDir))).toBe(false);
    const third = spawnServer(dataDir, await freePort());
    started.push(third);
    expect(await third.outcome).toBe("listening");
  });

  it("a stale lock left by a killed process on this host is taken over", async () => {
    const pid = await deadPid();
    const stale = { pid, host: os.hostname(), since: "2026-01-01T00:00:00.000Z", port: 1, purpose: "server", id: "killed" };
    writeFileSync(lockFile(dataDir), JSON.stringify(stale));
    const server = spawnServer(dataDir, await freePort());
    started.push(server);
    expect(await server.outcome).toBe("listening");
    expect(JSON.parse(readFileSync(lockFile(dataDir), "utf8"))).toMatchObject({ pid: server.child.pid, host: os.hostname() });
  });

  it("starters racing for one stale lock: exactly one takes it over", async () => {
    const stale = { pid: await deadPid(), host: os.hostname(), since: "2026-01-01T00:00:00.000Z", port: 1, purpose: "server", id: "killed" };
    writeFileSync(lockFile(dataDir), JSON.stringify(stale));
    // Each holds what it won for a while, so a late racer finds a live owner, not a free directory.
    const contender = `
      const { acquireDataDirLock } = await import(${JSON.stringify(path.resolve(import.meta.dirname, "../../server/datadir/lock.ts"))});
      try { const lock = acquireDataDirLock(process.argv[1], { port: null, purpose: "race" }); console.log("won"); setTimeout(() => lock.release(), 4000); }
      catch (error) { console.log("lost: " + error.message); }`;
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () => {
        const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", contender, dataDir], { stdio: ["ignore", "pipe", "inherit"] });
        let output = "";
        child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
        return new Promise<string>((resolve) => child.once("exit", () => resolve(output.trim())));
      }),
    );
    expect(outcomes.filter((outcome) => outcome === "won")).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.startsWith("lost: ") && outcome.includes("in use by pid"))).toHaveLength(5);
  });

  it("a lock held on another host is never taken over: the server says how to clear it", async () => {
    const elsewhere = { pid: process.pid, host: "another-host.example", since: "2026-01-01T00:00:00.000Z", port: 3000, purpose: "server", id: "remote" };
    writeFileSync(lockFile(dataDir), JSON.stringify(elsewhere));
    const server = spawnServer(dataDir, await freePort());
    started.push(server);
    expect(await server.outcome).toBe(1);
    expect(server.output()).toContain("in use by pid");
    expect(server.output()).toContain("on host another-host.example");
    expect(server.output()).toContain(`delete ${lockFile(dataDir)}`);
    expect(JSON.parse(readFileSync(lockFile(dataDir), "utf8"))).toEqual(elsewhere);
  });
});

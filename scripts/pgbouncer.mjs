#!/usr/bin/env node
// pgbouncer for the scale-out test and the bench: Debian's package, installed with apt-get when
// missing (like scripts/ensure-chromium.mjs), started on a free port in transaction mode in front
// of a PostgreSQL server, with its ini in a temporary directory.
//   node scripts/pgbouncer.mjs                   makes sure pgbouncer is installed
//   node scripts/pgbouncer.mjs start [postgres-url]  runs one in the foreground until Ctrl-C
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

export const pgbouncerPath = "/usr/sbin/pgbouncer";

/** Installs Debian's pgbouncer with apt-get unless it is there; throws when that fails. */
export function ensurePgbouncer() {
  if (existsSync(pgbouncerPath)) return;
  console.log("pgbouncer is missing: installing Debian's pgbouncer with apt-get (needed by the scale-out test on PostgreSQL)");
  const install = spawnSync("sh", ["-c", "apt-get update && apt-get install -y pgbouncer"], {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (install.error || install.status !== 0) {
    const reason = install.error ? install.error.message : `exit status ${install.status}`;
    throw new Error(`Installing pgbouncer failed (${reason}). Install it yourself with: apt-get update && apt-get install -y pgbouncer`);
  }
  if (!existsSync(pgbouncerPath)) throw new Error(`apt-get finished but ${pgbouncerPath} still does not exist`);
}

/**
 * Starts pgbouncer in transaction mode in front of the PostgreSQL server of `postgresUrl`, on
 * 127.0.0.1 and a free port, trusting every client (for tests: PostgreSQL here trusts them too).
 * Every database name is passed through (`*`), so each test file's own database is reachable.
 * Run as root, it drops to the `postgres` user, as pgbouncer refuses to run as root.
 * @param {{ postgresUrl: string, poolSize?: number }} options
 * @returns {Promise<{ port: number, url(database: string): string, output(): string, stop(): Promise<void> }>}
 */
export async function startPgbouncer({ postgresUrl, poolSize = 20 }) {
  ensurePgbouncer();
  const target = new URL(postgresUrl);
  const user = decodeURIComponent(target.username || "postgres");
  const port = await freePort();
  const directory = mkdtempSync(path.join(os.tmpdir(), "sb-pgbouncer-"));
  // The dropped-to user reads the ini and the user list.
  chmodSync(directory, 0o755);
  const usersFile = path.join(directory, "userlist.txt");
  writeFileSync(usersFile, `"${user}" ""\n`, { mode: 0o644 });
  const runAsRoot = process.getuid?.() === 0;
  const ini = [
    "[databases]",
    // The fallback: a client's database name goes to the same-named database there.
    `* = host=${target.hostname} port=${target.port || 5432}`,
    "",
    "[pgbouncer]",
    "listen_addr = 127.0.0.1",
    `listen_port = ${port}`,
    "unix_socket_dir =",
    "auth_type = trust",
    `auth_file = ${usersFile}`,
    "pool_mode = transaction",
    `default_pool_size = ${poolSize}`,
    "max_client_conn = 500",
    "ignore_startup_parameters = extra_float_digits",
    ...(runAsRoot ? ["user = postgres"] : []),
    "",
  ].join("\n");
  const iniFile = path.join(directory, "pgbouncer.ini");
  writeFileSync(iniFile, ini, { mode: 0o644 });

  const child = spawn(pgbouncerPath, [iniFile], { stdio: ["ignore", "pipe", "pipe"] });
  // Not left behind by a test run that ends without stopping it.
  const killOnExit = () => child.kill("SIGTERM");
  process.once("exit", killOnExit);
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk.toString()));
  child.stderr.on("data", (chunk) => (output += chunk.toString()));
  const url = (database) => {
    const through = new URL(postgresUrl);
    through.hostname = "127.0.0.1";
    through.port = String(port);
    through.pathname = `/${database}`;
    return through.toString();
  };
  const stop = async () => {
    process.off("exit", killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      // SIGTERM: immediate shutdown (SIGINT would wait for clients).
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(directory, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`pgbouncer exited with ${child.exitCode}:\n${output}`);
    }
    const client = new pg.Client({ connectionString: url(target.pathname.slice(1) || "postgres") });
    client.on("error", () => undefined);
    try {
      await client.connect();
      await client.query("select 1");
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`pgbouncer did not answer on port ${port} within 10 s (${error.message}):\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { port, url, output: () => output, stop };
}

async function freePort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    if (process.argv[2] === "start") {
      const postgresUrl = process.argv[3] ?? "postgres://postgres@127.0.0.1:5432/test";
      const bouncer = await startPgbouncer({ postgresUrl });
      console.log(`pgbouncer (transaction mode) in front of ${new URL(postgresUrl).host}: ${bouncer.url(new URL(postgresUrl).pathname.slice(1))}`);
      for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => void bouncer.stop().then(() => process.exit(0)));
    } else {
      ensurePgbouncer();
      console.log(`pgbouncer found at ${pgbouncerPath}.`);
    }
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}

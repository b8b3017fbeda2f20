import { readFileSync } from "node:fs";
import os from "node:os";
import { adminQuery } from "./engines";

export type MachineInfo = {
  nproc: number;
  memory: string;
  cpuModel: string;
  node: string;
  postgres: string;
  postgresSettings: string;
  pglite: string;
  loadAverage: string;
};

/** What the numbers were measured on; the load average shows whether something else was running. */
export async function describeMachine(withPostgres: boolean): Promise<MachineInfo> {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const cpuModel = cpuinfo.match(/^model name\s*:\s*(.+)$/m)?.[1]?.trim() ?? "unknown";
  let postgres = "not measured";
  let postgresSettings = "";
  if (withPostgres) {
    const [version] = await adminQuery("select version() as version");
    postgres = String(version?.version ?? "unknown").replace(/ on x86_64.*$/, "");
    const settings = await adminQuery(
      "select name, setting, unit from pg_settings where name in ('shared_buffers', 'work_mem', 'synchronous_commit', 'fsync', 'wal_sync_method', 'max_connections', 'jit') order by name",
    );
    postgresSettings = settings.map((row) => `${row.name}=${row.setting}${row.unit && row.unit !== "" ? ` ${row.unit}` : ""}`).join(", ");
  }
  const pgliteVersion = JSON.parse(readFileSync(new URL("../../node_modules/@electric-sql/pglite/package.json", import.meta.url), "utf8")).version as string;
  return {
    nproc: os.availableParallelism(),
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    cpuModel,
    node: process.version,
    postgres,
    postgresSettings,
    pglite: `@electric-sql/pglite ${pgliteVersion}`,
    loadAverage: os
      .loadavg()
      .map((value) => value.toFixed(2))
      .join(" / "),
  };
}

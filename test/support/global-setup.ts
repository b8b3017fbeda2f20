import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../../server/db/client";

// Prepares one migrated database per run; every test file clones it instead of initialising
// its own (a fresh PGlite takes seconds, a clone well under one).
export default async function setup(project: TestProject) {
  const engine = project.name === "postgres" ? "postgres" : "pglite";
  if (engine === "postgres") {
    const url = process.env.TEST_DATABASE_URL;
    if (!url) throw new Error("TEST_ENGINE=postgres needs TEST_DATABASE_URL");
    const templateName = `switchboard_template_${process.pid}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${templateName}`);
    await admin.query(`CREATE DATABASE ${templateName}`);
    const handle = await openDatabase({ databaseUrl: withDatabase(url, templateName), poolSize: 1 });
    await handle.close();
    project.provide("postgresTemplate", templateName);
    return async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${templateName}`);
      await admin.end();
    };
  }
  const handle = await openDatabase({ dataDir: path.join(freshDir(), "pglite") });
  const dump = await handle.pglite?.dumpDataDir("none");
  await handle.close();
  const dumpFile = path.join(freshDir(), "template.tar");
  writeFileSync(dumpFile, Buffer.from(await (dump as Blob).arrayBuffer()));
  project.provide("pgliteTemplate", dumpFile);
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

function freshDir() {
  const dir = path.resolve(".test-tmp", `${process.pid}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

declare module "vitest" {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresTemplate: string;
  }
}

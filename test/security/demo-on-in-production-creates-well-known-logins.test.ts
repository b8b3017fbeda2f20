import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, loadConfig } from "../../server/config";
import { demoPassword } from "../../server/demo/seed";

// DEMO=on seeds a workspace whose members all log in with one published password. In production
// that is a back door, so a production server must refuse the setting and not start.

const projectRoot = path.resolve(import.meta.dirname, "../..");
const productionEnv = { NODE_ENV: "production", DEMO: "on", ENCRYPTION_KEY: Buffer.alloc(32, 3).toString("base64") };

/** Runs server/main.ts as `npm start` does (one process, so it can be killed); resolves when it exits or prints the demo logins. */
function startSwitchboard(env: Record<string, string>): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
  });
  let stdout = "";
  let stderr = "";
  return new Promise((resolve) => {
    const settle = (exitCode: number | null) => {
      child.kill("SIGKILL");
      resolve({ exitCode, stdout, stderr });
    };
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes(demoPassword)) settle(null);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("exit", (code) => settle(code));
  });
}

describe("DEMO=on in production creates well-known logins", () => {
  it("is a configuration error, in one line naming DEMO", () => {
    expect(() => loadConfig(productionEnv)).toThrow(ConfigError);
    expect(() => loadConfig(productionEnv)).toThrow(/^Invalid DEMO: .*production/);
    // The default stays off in production, and DEMO=off is accepted.
    expect(loadConfig({ ...productionEnv, DEMO: "off" }).demo).toBe(false);
  });

  it("the server does not start, and prints no demo logins", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "sb-demo-prod-"));
    try {
      const started = await startSwitchboard({ ...productionEnv, DATA_DIR: dataDir, PORT: "0", LOG_LEVEL: "silent" });
      expect(started.stdout).not.toContain(demoPassword);
      expect(started.exitCode).toBe(1);
      expect(started.stderr.trim()).toMatch(/^Invalid DEMO: /);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

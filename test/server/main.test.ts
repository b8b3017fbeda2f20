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

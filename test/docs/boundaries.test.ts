import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx)$/.test(name) ? [full] : [];
  });
}

describe("package boundaries", () => {
  it("extension/ imports only types from server/ (the UI hides, the server decides)", () => {
    const offenders = sourceFiles("extension").flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/^import\s+(?!type\b)[^;]*?from\s+["']([^"']*server\/[^"']*)["']/gm)].map((match) => `${file}: ${match[1]}`),
    );
    expect(offenders).toEqual([]);
  });

  it("only server/config.ts reads process.env", () => {
    const readers = sourceFiles("server").filter((file) => file !== path.join("server", "config.ts") && /process\.env/.test(readFileSync(file, "utf8")));
    expect(readers).toEqual([]);
  });
});

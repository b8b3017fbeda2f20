import { ConfigError, loadConfig } from "../../../server/config";

const base = { NODE_ENV: "test", DATA_DIR: ".test-tmp/data", ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64") };

describe("BACKUP_EVERY and BACKUP_KEEP", () => {
  it("are off by default, keeping 7 once on", () => {
    expect(loadConfig(base).backup).toEqual({ everyMs: null, keep: 7 });
  });

  it.each([
    ["90s", 90_000],
    ["30m", 1_800_000],
    ["24h", 86_400_000],
    ["7d", 604_800_000],
  ])("BACKUP_EVERY=%s is every %i ms", (every, everyMs) => {
    expect(loadConfig({ ...base, BACKUP_EVERY: every, BACKUP_KEEP: "3" }).backup).toEqual({ everyMs, keep: 3 });
  });

  it.each(["0s", "24", "1w", "25d", "-1h"])("BACKUP_EVERY=%s is refused with one line naming it", (every) => {
    expect(() => loadConfig({ ...base, BACKUP_EVERY: every })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, BACKUP_EVERY: every })).toThrow(/^Invalid BACKUP_EVERY: /);
  });

  it("BACKUP_KEEP must keep at least one", () => {
    expect(() => loadConfig({ ...base, BACKUP_KEEP: "0" })).toThrow(/^Invalid BACKUP_KEEP: /);
  });
});

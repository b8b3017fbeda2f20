// `npm test`: makes sure Chromium is there for the browser tests (and pgbouncer, with TEST_DATABASE_URL), runs the whole Vitest suite,
// and ends with one plain "N passed, N failed" line.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";

const chromium = spawnSync(process.execPath, ["scripts/ensure-chromium.mjs"], { stdio: "inherit" });
if (chromium.status !== 0) process.exit(chromium.status ?? 1);
// On PostgreSQL the scale-out test (test/server/scale-out/) puts pgbouncer between the app and the database.
if (process.env.TEST_DATABASE_URL) {
  const pgbouncer = spawnSync(process.execPath, ["scripts/pgbouncer.mjs"], { stdio: "inherit" });
  if (pgbouncer.status !== 0) process.exit(pgbouncer.status ?? 1);
}

mkdirSync(".test-tmp", { recursive: true });
const resultsFile = ".test-tmp/results.json";
const vitest = spawnSync("npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${resultsFile}`, ...process.argv.slice(2)], {
  stdio: "inherit",
});
if (existsSync(resultsFile)) {
  const results = JSON.parse(readFileSync(resultsFile, "utf8"));
  // A file that fails to load has no test results; count it as a failure too.
  const brokenFiles = results.testResults.filter((file) => file.status === "failed" && file.assertionResults.length === 0).length;
  console.log(`\nTests: ${results.numPassedTests} passed, ${results.numFailedTests + brokenFiles} failed`);
}
process.exit(vitest.status ?? 1);

#!/usr/bin/env node
// The browser tests drive Debian's Chromium through playwright-core; they never download a browser.
// This makes sure that Chromium is installed, installing it with apt-get when it is missing.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const chromiumPath = "/usr/bin/chromium";

if (existsSync(chromiumPath)) {
  console.log(`Chromium found at ${chromiumPath}.`);
  process.exit(0);
}

console.log("Chromium is missing: installing Debian's chromium with apt-get (needed by the browser tests)");
const install = spawnSync("sh", ["-c", "apt-get update && apt-get install -y chromium"], {
  stdio: "inherit",
  env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
});

if (install.error || install.status !== 0) {
  const reason = install.error ? install.error.message : `exit status ${install.status}`;
  console.error(`Installing Chromium failed (${reason}). Install it yourself with: apt-get update && apt-get install -y chromium`);
  process.exit(1);
}
if (!existsSync(chromiumPath)) {
  console.error(`apt-get finished but ${chromiumPath} still does not exist; the browser tests cannot run.`);
  process.exit(1);
}
console.log(`Chromium installed at ${chromiumPath}.`);

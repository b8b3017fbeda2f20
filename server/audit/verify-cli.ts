import { commandLineOptions, loadConfig } from "../config";
import { openDatabase } from "../db/client";
import { verifyAuditChains } from "./verify";

// `npm run audit:verify`: exits 1 and lists each broken link when any entry was changed or removed.
// It needs the server's ENCRYPTION_KEY: the chain is keyed with a key derived from it.
// The npm script passes --development, as `npm start` does, so both find the same key.
const config = loadConfig(undefined, commandLineOptions());
const handle = await openDatabase(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir });
try {
  const problems = await verifyAuditChains(handle.db, config.auditChainKey);
  for (const problem of problems) console.log(`workspace ${problem.workspaceId} entry ${problem.seq}: ${problem.problem}`);
  console.log(problems.length === 0 ? "activity log intact" : `${problems.length} problem(s) found`);
  process.exitCode = problems.length === 0 ? 0 : 1;
} finally {
  await handle.close();
}

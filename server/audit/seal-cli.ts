import { commandLineOptions, loadConfig } from "../config";
import { openDatabase } from "../db/client";
import { sealLegacyAuditChains } from "./seal";

// `npm run audit:seal-legacy`: once, after upgrading from a version whose activity log was not
// keyed. It seals every log that ends unkeyed, so run it only on logs you trust as they are
// (`npm run audit:verify` lists them); the server refuses to start until they are sealed.
// The npm script passes --development, as `npm start` does, so both find the same key.
const config = loadConfig(undefined, commandLineOptions());
const handle = await openDatabase(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir });
try {
  const sealed = await sealLegacyAuditChains(handle.db, config.auditChainKey);
  console.log(sealed === 0 ? "no activity log needed sealing" : `sealed the activity logs of ${sealed} workspace(s)`);
} finally {
  await handle.close();
}

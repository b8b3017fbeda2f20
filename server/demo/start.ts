import { analyzeAfterBulkWrite } from "../datadir/maintenance";
import type { Services } from "../services";
import { connectDemoWorkspaceToDemoCrm, type DemoCrmConnectionOutcome } from "./crm-connection";
import { type DemoLogin, seedDemo } from "./seed";

/**
 * What a development start does with DEMO on: the demo workspace (created once), then its
 * connection to the demo CRM when that is this server's Pipedrive app. Tests call it to get a
 * server seeded exactly like `npm start`.
 */
export async function startDemo(
  services: Services,
  cost: Services["passwordCost"],
): Promise<{ logins: DemoLogin[] | null; demoCrm: DemoCrmConnectionOutcome }> {
  const logins = await seedDemo(services.database.db, cost, services.config.auditChainKey);
  if (logins) await analyzeAfterBulkWrite(services.database);
  const demoCrm = await connectDemoWorkspaceToDemoCrm(services);
  return { logins, demoCrm };
}

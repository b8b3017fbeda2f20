import { analyzeAfterBulkWrite } from "../datadir/maintenance";
import type { Services } from "../services";
import { connectDemoWorkspaceToDemoCrm, type DemoCrmConnectionOutcome } from "./pipedrive-journey";
import { type DemoLogin, seedDemo } from "./seed";

/** What a development start does with DEMO on before it listens: the demo workspace, created once. */
export async function seedDemoWorkspace(services: Services, cost: Services["passwordCost"]): Promise<DemoLogin[] | null> {
  const logins = await seedDemo(services.database.db, cost, services.config.auditChainKey, services.mediaStorage);
  if (logins) await analyzeAfterBulkWrite(services.database);
  return logins;
}

/**
 * What it does once it listens at `listeningAt`: the demo workspace's connection to the demo CRM,
 * made through the connect journey over HTTP (pipedrive-journey.ts), when that is this server's
 * Pipedrive app.
 */
export async function connectDemoCrms(services: Services, listeningAt: string): Promise<{ demoCrm: DemoCrmConnectionOutcome }> {
  return { demoCrm: await connectDemoWorkspaceToDemoCrm(services, listeningAt) };
}

/** Both, for a server that already listens at `listeningAt`: tests call it to get a server seeded exactly like `npm start`. */
export async function startDemo(
  services: Services,
  cost: Services["passwordCost"],
  listeningAt: string,
): Promise<{ logins: DemoLogin[] | null; demoCrm: DemoCrmConnectionOutcome }> {
  const logins = await seedDemoWorkspace(services, cost);
  return { logins, ...(await connectDemoCrms(services, listeningAt)) };
}

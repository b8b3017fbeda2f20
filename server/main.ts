import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { UnsealedAuditChains } from "./audit/seal";
import { productionPasswordCost, startServices, stopServices } from "./boot";
import { ConfigError, commandLineOptions, developmentFeatureLines, loadConfig, modeLine } from "./config";
import { startBackupSchedule } from "./datadir/backup-schedule";
import { DataDirLocked } from "./datadir/lock";
import { startMaintenance } from "./datadir/maintenance";
import { startOperatorListener } from "./datadir/operator-listener";
import { type DatabaseHandle, openDatabase } from "./db/client";
import { connectDemoWorkspaceToDemoHubspot } from "./demo/hubspot-journey";
import { connectDemoCrms, seedDemoWorkspace } from "./demo/start";
import { ListenProbeFailed } from "./events/bus";
import { createApp } from "./http/app";
import { mediaStorageDescription } from "./media/create-storage";
import type { Services } from "./services";
import { startWebhookWorker } from "./webhooks/worker";

const webRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "dist", "web");

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    // `npm start` and `npm run dev` pass --development; without it or NODE_ENV this is production.
    config = loadConfig(undefined, commandLineOptions());
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  let database: DatabaseHandle;
  try {
    database = await openDatabase(
      config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir, owner: { port: config.port, purpose: "server" } },
    );
  } catch (error) {
    if (error instanceof DataDirLocked) {
      console.error(`Switchboard cannot start: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  let services: Awaited<ReturnType<typeof startServices>>;
  try {
    services = await startServices(config, database);
  } catch (error) {
    if (error instanceof UnsealedAuditChains || error instanceof ListenProbeFailed) {
      console.error(`Switchboard cannot start: ${error.message}`);
      await database.close();
      process.exit(1);
    }
    throw error;
  }
  if (database.pglite && database.dataDirLock) {
    // `npm run backup` asks this process for snapshots; BACKUP_EVERY takes them on a timer;
    // statistics and vacuum, which PostgreSQL's autovacuum does, PGlite needs done here.
    const operator = await startOperatorListener(database.pglite, database.dataDirLock, services.logger);
    services.background.add(operator);
    startBackupSchedule(services, database.pglite);
    startMaintenance(services, database.pglite);
  }
  startWebhookWorker(services);
  const logger = services.logger;
  // Fails closed, and says so: the mode, then one line for each development-only thing that is on
  // (after the checks that may refuse the start, whose refusal stays a single line).
  const developmentFeatures = developmentFeatureLines(config);
  logger.info({ nodeEnv: config.nodeEnv, nodeEnvFrom: config.nodeEnvFrom, developmentFeatures }, "mode");
  console.log(modeLine(config));
  for (const line of developmentFeatures) console.log(line);
  if (config.demo) {
    const logins = await seedDemoWorkspace(services, productionPasswordCost);
    if (logins) {
      console.log("Demo workspace logins (password for all: %s):", logins[0]?.password);
      for (const login of logins) console.log(`  ${login.roleId.padEnd(12)} ${login.email}`);
    }
  }
  const app = createApp(services, { webRoot });
  const server = app.listen(config.port, (error?: Error) => {
    if (error) {
      // A port already in use, say: say so and stop, rather than run without listening.
      logger.fatal({ err: error }, "could not listen");
      console.error(`Switchboard could not listen on port ${config.port}: ${error.message}`);
      void stopServices(services)
        .then(() => database.close())
        .finally(() => process.exit(1));
      return;
    }
    logger.info({ url: config.publicUrl, engine: database.engine }, "Switchboard is listening");
    console.log(`Switchboard: ${config.publicUrl} (database: ${database.engine}; media: ${mediaStorageDescription(config)})`);
    // The demo connects to the demo CRM through its own HTTP routes, as people do: once listening.
    if (config.demo) void connectDemoCrm(services, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    if (config.demo && config.hubspot.usesDemoPortal) {
      // Over HTTP, like its Owner would: it needs the server listening.
      void connectDemoWorkspaceToDemoHubspot(services, `http://127.0.0.1:${(server.address() as AddressInfo).port}`).then((outcome) => {
        if (outcome === "skipped") return;
        if (typeof outcome === "object") {
          console.error(
            `Demo HubSpot: connecting the demo workspace failed: ${outcome.failed}. An Owner can connect it on the Integrations page (Connect HubSpot).`,
          );
          return;
        }
        console.log(
          outcome === "connected"
            ? "Demo HubSpot: the demo workspace installed the app in the demo portal through its install page"
            : "Demo HubSpot: the demo workspace is connected to the demo portal",
        );
        console.log(`HubSpot simulator (the app card on the demo portal's contact): ${config.publicUrl}/simulator/hubspot/`);
      });
    }
  });
  const shutdown = () => {
    server.close(
      () =>
        void stopServices(services)
          .then(() => database.close())
          .then(() => process.exit(0)),
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

const demoCrmLines = {
  connected: "Demo CRM: the demo workspace connected to it through its consent page (the Owner the company, then each member who may their own user)",
  refreshed: "Demo CRM: the demo workspace connected to it again through its consent page (the server's address changed)",
  unchanged: "Demo CRM: the demo workspace is connected to it",
} as const;

/** The demo's connection to the demo CRM (server/demo/pipedrive-journey.ts); a failure is said loudly, and the server runs on. */
async function connectDemoCrm(services: Services, listeningAt: string): Promise<void> {
  try {
    const { demoCrm } = await connectDemoCrms(services, listeningAt);
    if (demoCrm === "skipped") return;
    console.log(demoCrmLines[demoCrm]);
    console.log(`CRM simulator (the Pipedrive panel on the demo CRM's deal): ${services.config.publicUrl}/simulator/`);
  } catch (error) {
    services.logger.error({ err: error }, "the demo workspace could not connect to the demo CRM");
    const reason = error instanceof Error ? error.message : String(error);
    console.error(
      `Demo CRM: connecting the demo workspace failed: ${reason}. Switchboard runs on without it; an Owner can connect it on the Integrations page (Connect Pipedrive).`,
    );
  }
}

await main();

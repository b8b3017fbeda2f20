import { assertAuditChainsKeyed } from "./audit/seal";
import { startCampaignDispatcher } from "./campaigns/dispatcher";
import type { Config } from "./config";
import type { DatabaseHandle } from "./db/client";
import { createDemoHubspot } from "./demo-crm/hubspot/demo-portal";
import { createDemoCrmStore } from "./demo-crm/store";
import { EventHub } from "./events/bus";
import { isHubspotConfigured } from "./hubspot/app";
import { startHubspotLogWorker } from "./hubspot/log-worker";
import { createAttemptLimiter } from "./identity/attempt-limiter";
import { createLogger } from "./logger";
import { type MailCatcher, startMailCatcher } from "./mail/catcher";
import { createMailSender } from "./mail/transport";
import { startMailWorker } from "./mail/worker";
import { createMediaStorage } from "./media/create-storage";
import { startMediaFetchWorker } from "./media/fetch-worker";
import { isPipedriveConfigured } from "./pipedrive/connections";
import { startPipedriveLogWorker } from "./pipedrive/log-worker";
import type { Services } from "./services";
import { createCloudClient } from "./whatsapp/cloud-client";

export const productionPasswordCost = { N: 2 ** 15, r: 8, p: 1 };

/** Wires the process-wide services over an open database and starts listening for events. */
export async function startServices(config: Config, database: DatabaseHandle, options: { passwordCost?: Services["passwordCost"] } = {}): Promise<Services> {
  // Before anything listens or runs: a log ending unkeyed must be looked at first (audit/seal.ts).
  await assertAuditChainsKeyed(database.db);
  const logger = createLogger(config);
  // An idle pooled connection the server ended: the pool drops it and connects anew on demand.
  database.pool?.on("error", (error) => logger.warn({ err: error }, "a pooled database connection was lost"));
  // In development the app's mail goes to a catcher of its own, listed at /#/dev/mail.
  const mailCatcher: MailCatcher | null = config.mail.transport.kind === "catcher" ? await startMailCatcher() : null;
  const events = new EventHub();
  // Its own session, outside the pool: DATABASE_LISTEN_URL when DATABASE_URL is a transaction-mode pooler.
  await events.start(database, config.databaseListenUrl ?? database.databaseUrl, logger);
  const services: Services = {
    config,
    database,
    logger,
    passwordCost: options.passwordCost ?? productionPasswordCost,
    loginLimiter: createAttemptLimiter(config.loginLimits, database),
    events,
    // DATA_DIR/media or S3 (MEDIA_STORAGE), chosen from the configuration.
    mediaStorage: createMediaStorage(config),
    cloud: createCloudClient({ baseUrl: config.whatsapp.graphBaseUrl, apiVersion: config.whatsapp.graphApiVersion }),
    demoCrm: config.demoCrm.enabled ? createDemoCrmStore() : null,
    demoHubspot: config.demoHubspot.enabled ? createDemoHubspot(config) : null,
    mailCatcher,
    background: new Set(),
  };
  const mailSender = createMailSender(config.mail.transport, mailCatcher?.port);
  if (mailSender) {
    startMailWorker(services, mailSender);
    // Stopped after the worker (background stops in order): its last attempts still reach them.
    services.background.add({
      async stop() {
        mailSender.close();
        await mailCatcher?.stop();
      },
    });
  }
  // Customers' files: fetched from Meta into the media storage as they arrive.
  startMediaFetchWorker(services);
  if (isPipedriveConfigured(services)) startPipedriveLogWorker(services);
  if (isHubspotConfigured(services)) startHubspotLogWorker(services);
  if (config.campaigns.dispatcherEnabled) startCampaignDispatcher(services);
  return services;
}

/** Stops background work and the event listener (the caller closes the database). */
export async function stopServices(services: Services): Promise<void> {
  for (const task of services.background) await task.stop();
  services.background.clear();
  await services.events.stop();
  await services.loginLimiter.close();
}

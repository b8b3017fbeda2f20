import type { Logger } from "pino";
import type { Config } from "./config";
import type { DatabaseHandle } from "./db/client";
import type { DemoHubspot } from "./demo-crm/hubspot/demo-portal";
import type { DemoCrmStore } from "./demo-crm/store";
import type { EventHub } from "./events/bus";
import type { AttemptLimiter } from "./identity/attempt-limiter";
import type { MailCatcher } from "./mail/catcher";
import type { MediaStorage } from "./media/storage";
import type { CloudClient } from "./whatsapp/cloud-client";

/** What route handlers and commands share for the life of the process. */
export type Services = {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  /** scrypt cost for new password hashes (lowered only in tests). */
  passwordCost: { N: number; r: number; p: number };
  /** Every password check and signup spends from it (server/identity/attempt-limiter.ts). */
  loginLimiter: AttemptLimiter;
  /** This process's end of the LISTEN/NOTIFY bus (live updates). */
  events: EventHub;
  /** Where media files (customers' photos, documents, voice notes) are kept; swapped for S3 when configured. */
  mediaStorage: MediaStorage;
  /** Meta's Graph API, at the configured base URL and version. */
  cloud: CloudClient;
  /** The development-only demo CRM's notes and activities; null unless `config.demoCrm.enabled`. */
  demoCrm: DemoCrmStore | null;
  /** The development-only demo HubSpot portal (its accounts, grants and Communications); null unless `config.demoHubspot.enabled`. */
  demoHubspot: DemoHubspot | null;
  /** The development mail catcher (config.mail.transport "catcher"), else null. */
  mailCatcher: MailCatcher | null;
  /** Background timers and loops to stop on shutdown. */
  background: Set<{ stop(): Promise<void> | void }>;
};

import { hkdfSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

/** Environment variables the server reads; the only place that touches process.env. */
const EnvSchema = z.object({
  // Unset: production, unless the command chose development (`--development`, which `npm start` passes).
  NODE_ENV: z.enum(["development", "production", "test"]).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  /**
   * Where the event bus's LISTEN session connects: straight to PostgreSQL (or a session-mode pooler)
   * when DATABASE_URL goes through a transaction-mode pooler such as pgbouncer. Unset: DATABASE_URL.
   */
  DATABASE_LISTEN_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  PUBLIC_URL: z.url().optional(),
  ENCRYPTION_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/_-]{43,44}={0,2}$/, "must be 32 bytes, base64-encoded")
    .optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  DEMO: z.enum(["on", "off"]).optional(),
  GRAPH_API_BASE_URL: z.url().default("https://graph.facebook.com"),
  GRAPH_API_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, "must look like v25.0")
    .default("v25.0"),
  WHATSAPP_APP_SECRET: z.string().min(8).optional(),
  WHATSAPP_VERIFY_TOKEN: z.string().min(8).optional(),
  WHATSAPP_SEND_RATE: z.coerce.number().positive().max(1000).default(80),
  SANDBOX_PROVIDER: z.enum(["on", "off"]).optional(),
  CAMPAIGN_DISPATCHER: z.enum(["on", "off"]).default("on"),
  CAMPAIGN_UNKNOWN_OUTCOME_AFTER_MS: z.coerce.number().int().min(100).default(60_000),
  PIPEDRIVE_CLIENT_ID: z.string().min(1).optional(),
  PIPEDRIVE_CLIENT_SECRET: z.string().min(1).optional(),
  PIPEDRIVE_OAUTH_HOST: z.url().optional(),
  PIPEDRIVE_JWT_SECRET: z.string().min(8).optional(),
  PIPEDRIVE_PANEL_SESSION_SECONDS: z.coerce.number().int().min(1).max(86_400).default(3600),
  PIPEDRIVE_START_CHAT_MODAL_ID: z.string().trim().min(1).max(200).optional(),
  DEMO_CRM: z.enum(["on", "off"]).optional(),
  HUBSPOT_CLIENT_ID: z.string().min(1).optional(),
  HUBSPOT_CLIENT_SECRET: z.string().min(1).optional(),
  /** Where installers authorize (app.hubspot.com; app-eu1.hubspot.com serves EU accounts too). */
  HUBSPOT_AUTH_URL: z.url().optional(),
  /** HubSpot's API host: OAuth token endpoints and the CRM. */
  HUBSPOT_API_URL: z.url().optional(),
  LOGIN_LIMIT_PER_ACCOUNT: z.coerce.number().int().min(1).max(1000).default(10),
  LOGIN_LIMIT_PER_IP: z.coerce.number().int().min(1).max(100_000).default(100),
  LIVE_UPDATES_RECHECK_MS: z.coerce.number().int().min(100).max(3_600_000).default(20_000),
  BACKUP_EVERY: z
    .string()
    .regex(/^[1-9]\d*(s|m|h|d)$/, "must be a number and a unit, like 30m, 24h or 7d")
    // The longest a Node timer waits.
    .refine((duration) => durationMs(duration) <= 2 ** 31 - 1, "must be at most 24d")
    .optional(),
  BACKUP_KEEP: z.coerce.number().int().min(1).max(10_000).default(7),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^/]+/, "must be an smtp:// or smtps:// URL, like smtp://user:pass@smtp.example.com:587")
    .optional(),
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASS: z.string().min(1).optional(),
  /** The From of every e-mail: an address, or `Name <address>`. */
  MAIL_FROM: z
    .string()
    .regex(/^([^<>@]+<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/, "must be an address or Name <address>")
    .optional(),
  MAIL_CATCHER: z.enum(["on", "off"]).optional(),
  /** Where message files live: DATA_DIR/media (local, the default) or an S3 bucket. */
  MEDIA_STORAGE: z.enum(["local", "s3"]).optional(),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be a bucket name: 3 to 63 lowercase letters, digits, dots and hyphens")
    .optional(),
  S3_REGION: z
    .string()
    .regex(/^[a-z0-9-]+$/, "must be a region, like eu-central-1")
    .optional(),
  /** An S3-compatible service (MinIO, Cloudflare R2, Backblaze B2, ...); unset: AWS's own endpoint for S3_REGION. */
  S3_ENDPOINT: z
    .string()
    .regex(/^https?:\/\/[^/\s]+\/?$/, "must be an http:// or https:// address, like https://minio.example.com:9000")
    .optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Bucket in the path (endpoint/bucket/key) rather than the host name: what most S3-compatible services need. */
  S3_FORCE_PATH_STYLE: z.enum(["on", "off"]).optional(),
  /** Keys start with it (`switchboard/`), so one bucket can hold other things too. */
  S3_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*\/?$/, "must be folder names joined by /, like switchboard/media")
    .refine((prefix) => !prefix.split("/").some((part) => part === "." || part === ".."), "must not contain . or .. folders")
    .optional(),
  /** Server-side encryption the bucket applies to each file Switchboard writes. */
  S3_SERVER_SIDE_ENCRYPTION: z.enum(["AES256", "aws:kms"]).optional(),
  S3_SSE_KMS_KEY_ID: z.string().min(1).optional(),
});

export type Config = {
  nodeEnv: "development" | "production" | "test";
  /** Who chose nodeEnv: the NODE_ENV variable, the command's `--development` flag, or nobody (production). */
  nodeEnvFrom: "NODE_ENV" | "--development" | "default";
  /** /simulator/ and /api/v1/dev/* are served (development and test); production answers 404 there. */
  developmentRoutes: boolean;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  /**
   * The connection the event bus LISTENs on (one per process, outside the pool): DATABASE_LISTEN_URL,
   * else DATABASE_URL. It must reach PostgreSQL with a session of its own; a transaction-mode
   * pooler drops notifications, which the bus's start-up probe refuses (server/events/bus.ts).
   */
  databaseListenUrl: string | undefined;
  publicUrl: string;
  encryptionKey: Buffer;
  /** Keys the activity log's hash chain (HMAC-SHA256); derived from ENCRYPTION_KEY. */
  auditChainKey: Buffer;
  /** Signs media download links (server/media/signed-url.ts); derived from ENCRYPTION_KEY. */
  mediaLinkKey: Buffer;
  logLevel: string;
  demo: boolean;
  whatsapp: {
    graphBaseUrl: string;
    graphApiVersion: string;
    /** Our Meta app's secret: verifies X-Hub-Signature-256 unless an account brings its own. */
    appSecret: string | undefined;
    verifyToken: string | undefined;
    /** Messages per second per number, shared by every server process. */
    sendRatePerSecond: number;
    sandboxEnabled: boolean;
  };
  campaigns: {
    /** Whether this process sends campaigns (any number of processes may). */
    dispatcherEnabled: boolean;
    /**
     * A recipient still `sending` this long after its send began was in flight when a process
     * died: it is marked failed (outcome unknown), never sent again. Longer than any live send.
     */
    unknownOutcomeAfterMs: number;
  };
  pipedrive: {
    /** Our Marketplace app; the integration is off (routes answer 409) until both are set. */
    clientId: string | undefined;
    clientSecret: string | undefined;
    oauthHost: string;
    /** Verifies the panel's Pipedrive-signed JWT; Pipedrive falls back to the client secret. */
    jwtSecret: string | undefined;
    /** The Callback URL registered in Developer Hub. */
    redirectUri: string;
    /** Signs OAuth `state`; derived from ENCRYPTION_KEY so there is no extra secret to manage. */
    stateKey: Buffer;
    /** How long a panel's Switchboard bearer lives before the panel trades a fresh signed token for another. */
    panelSessionTtlMs: number;
    /** The app above is the demo CRM's (no PIPEDRIVE_CLIENT_ID/SECRET while the demo CRM is on). */
    usesDemoCrm: boolean;
    /**
     * The start-chat custom modal's id, which Developer Hub assigns (the app can't choose it) and
     * the panel passes as OPEN_MODAL's `action_id`; null: the panel offers no "Start chat…".
     */
    startChatModalId: string | null;
  };
  hubspot: {
    /** Our HubSpot app (its project's auth); the integration is off (routes answer 409) until both are set. */
    clientId: string | undefined;
    clientSecret: string | undefined;
    authUrl: string;
    apiUrl: string;
    /** The redirect URL in the app's app-hsmeta.json (manifest/hubspot). */
    redirectUri: string;
    /** Signs HubSpot's OAuth `state` and connect tickets; derived apart from Pipedrive's. */
    stateKey: Buffer;
    /** The app above is the demo HubSpot portal's (no HUBSPOT_CLIENT_ID/SECRET while the demo CRM is on). */
    usesDemoPortal: boolean;
  };
  /**
   * The development-only imitation of Pipedrive (server/demo-crm/), mounted at /dev/demo-crm.
   * Never enabled in production, whatever DEMO_CRM says.
   */
  demoCrm: {
    enabled: boolean;
    /** Both its API domain and its OAuth host. */
    url: string;
    clientId: string;
    /** Derived from ENCRYPTION_KEY; also the panel JWT secret when the demo CRM is the app. */
    clientSecret: string;
    /** The id "its Developer Hub" gave the start-chat modal (the CRM simulator registers it under this id). */
    startChatModalId: string;
    /** Signs its stateless access tokens, refresh tokens and authorization codes. */
    tokenKey: Buffer;
  };
  /**
   * The development-only imitation of HubSpot (server/demo-crm/hubspot/), mounted at
   * /dev/demo-hubspot beside the demo CRM and switched with it (DEMO_CRM); never in production.
   */
  demoHubspot: {
    enabled: boolean;
    /** Both its install page (app.hubspot.com's part) and its API (api.hubapi.com's part). */
    url: string;
    appId: number;
    clientId: string;
    /** Derived from ENCRYPTION_KEY; signs the card's hubspot.fetch requests when the demo portal is the app. */
    clientSecret: string;
    /** Seals its grants into the tokens themselves, so they outlive a restart. */
    tokenKey: Buffer;
  };
  /**
   * Password checks (login, join request, invitation accept) per 15 minutes: per account from any
   * address, and per address over every account and every signup (server/identity/attempt-limiter.ts).
   */
  loginLimits: { perAccount: number; perIp: number };
  liveUpdates: {
    /**
     * How often an open GET /events stream re-reads its token: a revocation whose notification
     * this process missed (its LISTEN connection was down) still ends the stream this soon.
     */
    tokenRecheckMs: number;
  };
  /** E-mail (invitations, password resets): sent after commit by the mail worker (server/mail/). */
  mail: {
    /** Where mail goes: the SMTP server configured, the development mail catcher, or nowhere (not configured). */
    transport: { kind: "smtp"; url: string } | { kind: "catcher" } | { kind: "none" };
    from: string;
  };
  /** Where message files (images, documents, ...) are kept (server/media/create-storage.ts). */
  media: { storage: MediaStorageConfig };
  /** Scheduled snapshots of the embedded database into DATA_DIR/backups (server/datadir/). */
  backup: {
    /** null: no scheduled backups (`npm run backup` still works). Ignored on PostgreSQL. */
    everyMs: number | null;
    /** How many scheduled snapshots to keep; older ones are deleted. */
    keep: number;
  };
};

export type MediaStorageConfig =
  /** Files under DATA_DIR/media, one per key. */
  | { kind: "local" }
  | {
      kind: "s3";
      bucket: string;
      region: string;
      /** null: AWS's endpoint for the region. */
      endpoint: string | null;
      forcePathStyle: boolean;
      /** Put before every key; "" or ending in "/". */
      prefix: string;
      /** null: the AWS SDK's default credential chain (environment, profile, instance or task role). */
      credentials: { accessKeyId: string; secretAccessKey: string } | null;
      serverSideEncryption: { algorithm: "AES256" } | { algorithm: "aws:kms"; kmsKeyId: string | null } | null;
    };

export class ConfigError extends Error {}

/** Where the app mounts the demo CRM (server/demo-crm/); its address is `${PUBLIC_URL}${demoCrmPath}`. */
export const demoCrmPath = "/dev/demo-crm";
/** Where the app mounts the demo HubSpot portal (server/demo-crm/hubspot/); its address is `${PUBLIC_URL}${demoHubspotPath}`. */
export const demoHubspotPath = "/dev/demo-hubspot";

/**
 * The command-line flag with which `npm start`, `npm run dev` and the data-directory scripts choose
 * development when NODE_ENV is unset. NODE_ENV, when set, wins: `NODE_ENV=production npm start` is production.
 */
export const developmentFlag = "--development";

export type LoadConfigOptions = {
  /** What an unset NODE_ENV means: production unless the command passed `--development`. */
  unsetNodeEnv?: "production" | "development";
};

/** The options a command line asks for: `--development` anywhere in argv. */
export function commandLineOptions(argv: readonly string[] = process.argv): LoadConfigOptions {
  return { unsetNodeEnv: argv.includes(developmentFlag) ? "development" : "production" };
}

/**
 * Parses the environment into a Config; throws ConfigError with one line naming the variable.
 * Fails closed: without NODE_ENV the server is production (no demo, demo CRM, sandbox or
 * development routes; ENCRYPTION_KEY required) unless `options.unsetNodeEnv` chooses development.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, options: LoadConfigOptions = {}): Config {
  // An empty variable (`DATABASE_URL=`) counts as unset.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? "environment");
    throw new ConfigError(`Invalid ${variable}: ${issue?.message ?? "bad value"}`);
  }
  const { NODE_ENV: chosenNodeEnv, ...rest } = parsed.data;
  const nodeEnvFrom: Config["nodeEnvFrom"] = chosenNodeEnv ? "NODE_ENV" : options.unsetNodeEnv === "development" ? "--development" : "default";
  const values = { ...rest, NODE_ENV: chosenNodeEnv ?? options.unsetNodeEnv ?? "production" };
  if (values.NODE_ENV === "production" && values.DEMO === "on") {
    // The demo members all log in with one published password: never on a production server.
    throw new ConfigError("Invalid DEMO: cannot be on in production (the demo logins share a published password)");
  }
  if (values.DATABASE_LISTEN_URL && !values.DATABASE_URL) {
    // Embedded PGlite delivers notifications in-process: a LISTEN URL without DATABASE_URL is a mistake.
    throw new ConfigError("Invalid DATABASE_LISTEN_URL: needs DATABASE_URL (without it the database is embedded and has nothing to LISTEN to)");
  }
  const dataDir = path.resolve(values.DATA_DIR);
  const port = values.PORT;
  const publicUrl = (values.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, "");
  const encryptionKey = resolveEncryptionKey(values.ENCRYPTION_KEY, values.NODE_ENV, nodeEnvFrom, dataDir);
  const demoCrm = {
    enabled: values.NODE_ENV !== "production" && (values.DEMO_CRM ? values.DEMO_CRM === "on" : values.NODE_ENV === "development"),
    url: `${publicUrl}${demoCrmPath}`,
    clientId: "switchboard-demo-crm",
    clientSecret: deriveKey(encryptionKey, "switchboard.demo-crm.client-secret").toString("base64url"),
    startChatModalId: "demo-crm-start-chat-modal",
    tokenKey: deriveKey(encryptionKey, "switchboard.demo-crm.tokens"),
  };
  // Without a Pipedrive app of its own, a development server uses the demo CRM's, so the panel,
  // the simulator and logging work after `npm start` with nothing configured.
  const usesDemoCrm = demoCrm.enabled && !values.PIPEDRIVE_CLIENT_ID && !values.PIPEDRIVE_CLIENT_SECRET;
  const clientSecret = values.PIPEDRIVE_CLIENT_SECRET ?? (usesDemoCrm ? demoCrm.clientSecret : undefined);
  const defaultOAuthHost = usesDemoCrm ? demoCrm.url : "https://oauth.pipedrive.com";
  const demoHubspot = {
    enabled: demoCrm.enabled,
    url: `${publicUrl}${demoHubspotPath}`,
    appId: 4_200_001,
    clientId: "switchboard-demo-hubspot",
    clientSecret: deriveKey(encryptionKey, "switchboard.demo-hubspot.client-secret").toString("base64url"),
    tokenKey: deriveKey(encryptionKey, "switchboard.demo-hubspot.tokens"),
  };
  // Likewise HubSpot: without an app of its own, a development server's HubSpot is the demo portal.
  const usesDemoPortal = demoHubspot.enabled && !values.HUBSPOT_CLIENT_ID && !values.HUBSPOT_CLIENT_SECRET;
  return {
    nodeEnv: values.NODE_ENV,
    nodeEnvFrom,
    developmentRoutes: values.NODE_ENV !== "production",
    port,
    dataDir,
    databaseUrl: values.DATABASE_URL,
    databaseListenUrl: values.DATABASE_LISTEN_URL ?? values.DATABASE_URL,
    publicUrl,
    encryptionKey,
    auditChainKey: deriveKey(encryptionKey, "switchboard.audit.chain"),
    mediaLinkKey: deriveKey(encryptionKey, "switchboard.media.download-link"),
    logLevel: values.LOG_LEVEL,
    demo: values.DEMO ? values.DEMO === "on" : values.NODE_ENV === "development",
    whatsapp: {
      graphBaseUrl: values.GRAPH_API_BASE_URL.replace(/\/$/, ""),
      graphApiVersion: values.GRAPH_API_VERSION,
      appSecret: values.WHATSAPP_APP_SECRET,
      verifyToken: values.WHATSAPP_VERIFY_TOKEN,
      sendRatePerSecond: values.WHATSAPP_SEND_RATE,
      sandboxEnabled: values.SANDBOX_PROVIDER ? values.SANDBOX_PROVIDER === "on" : values.NODE_ENV === "development",
    },
    campaigns: {
      dispatcherEnabled: values.CAMPAIGN_DISPATCHER === "on",
      unknownOutcomeAfterMs: values.CAMPAIGN_UNKNOWN_OUTCOME_AFTER_MS,
    },
    pipedrive: {
      clientId: values.PIPEDRIVE_CLIENT_ID ?? (usesDemoCrm ? demoCrm.clientId : undefined),
      clientSecret,
      oauthHost: (values.PIPEDRIVE_OAUTH_HOST ?? defaultOAuthHost).replace(/\/$/, ""),
      // Pipedrive signs with the client secret when an extension has no JWT secret of its own.
      jwtSecret: values.PIPEDRIVE_JWT_SECRET ?? clientSecret,
      redirectUri: `${publicUrl}/api/v1/integrations/pipedrive/callback`,
      stateKey: deriveKey(encryptionKey, "switchboard.pipedrive.oauth-state"),
      panelSessionTtlMs: values.PIPEDRIVE_PANEL_SESSION_SECONDS * 1000,
      usesDemoCrm,
      startChatModalId: values.PIPEDRIVE_START_CHAT_MODAL_ID ?? (usesDemoCrm ? demoCrm.startChatModalId : null),
    },
    hubspot: {
      clientId: values.HUBSPOT_CLIENT_ID ?? (usesDemoPortal ? demoHubspot.clientId : undefined),
      clientSecret: values.HUBSPOT_CLIENT_SECRET ?? (usesDemoPortal ? demoHubspot.clientSecret : undefined),
      authUrl: (values.HUBSPOT_AUTH_URL ?? (usesDemoPortal ? demoHubspot.url : "https://app.hubspot.com")).replace(/\/$/, ""),
      apiUrl: (values.HUBSPOT_API_URL ?? (usesDemoPortal ? demoHubspot.url : "https://api.hubapi.com")).replace(/\/$/, ""),
      redirectUri: `${publicUrl}/api/v1/integrations/hubspot/callback`,
      stateKey: deriveKey(encryptionKey, "switchboard.hubspot.oauth-state"),
      usesDemoPortal,
    },
    demoCrm,
    demoHubspot,
    loginLimits: { perAccount: values.LOGIN_LIMIT_PER_ACCOUNT, perIp: values.LOGIN_LIMIT_PER_IP },
    liveUpdates: { tokenRecheckMs: values.LIVE_UPDATES_RECHECK_MS },
    media: { storage: mediaStorageConfig(values) },
    backup: { everyMs: values.BACKUP_EVERY ? durationMs(values.BACKUP_EVERY) : null, keep: values.BACKUP_KEEP },
    mail: mailConfig(values, publicUrl),
  };
}

/**
 * SMTP_URL, or SMTP_HOST with SMTP_PORT (587), SMTP_USER and SMTP_PASS; without either, a
 * development server catches its mail (MAIL_CATCHER, never in production) and anything else
 * sends none: invitations still give their link, password resets say mail is not configured.
 */
function mailConfig(values: z.infer<typeof EnvSchema> & { NODE_ENV: Config["nodeEnv"] }, publicUrl: string): Config["mail"] {
  if (values.SMTP_URL && values.SMTP_HOST) throw new ConfigError("Invalid SMTP_HOST: set SMTP_URL or SMTP_HOST, not both");
  if (!values.SMTP_HOST && (values.SMTP_PORT || values.SMTP_USER || values.SMTP_PASS)) {
    throw new ConfigError("Invalid SMTP_HOST: required with SMTP_PORT, SMTP_USER or SMTP_PASS");
  }
  if (Boolean(values.SMTP_USER) !== Boolean(values.SMTP_PASS)) throw new ConfigError("Invalid SMTP_PASS: SMTP_USER and SMTP_PASS go together");
  const from = values.MAIL_FROM ?? `Switchboard <no-reply@${new URL(publicUrl).hostname}>`;
  if (values.SMTP_URL) return { transport: { kind: "smtp", url: values.SMTP_URL }, from };
  if (values.SMTP_HOST) {
    const port = values.SMTP_PORT ?? 587;
    const credentials = values.SMTP_USER && values.SMTP_PASS ? `${encodeURIComponent(values.SMTP_USER)}:${encodeURIComponent(values.SMTP_PASS)}@` : "";
    // Port 465 speaks TLS from the first byte; any other upgrades with STARTTLS when offered.
    return { transport: { kind: "smtp", url: `${port === 465 ? "smtps" : "smtp"}://${credentials}${values.SMTP_HOST}:${port}` }, from };
  }
  const catcher = values.NODE_ENV !== "production" && (values.MAIL_CATCHER ? values.MAIL_CATCHER === "on" : values.NODE_ENV === "development");
  return { transport: catcher ? { kind: "catcher" } : { kind: "none" }, from };
}

/**
 * MEDIA_STORAGE=s3 with S3_BUCKET and S3_REGION (or S3_ENDPOINT for an S3-compatible service);
 * otherwise DATA_DIR/media, which also holds them when the database is PostgreSQL (DATABASE_URL):
 * DATA_DIR is then only the files' home. S3_* variables without MEDIA_STORAGE=s3 are refused
 * rather than ignored, so a typo cannot quietly keep files on one server's disk.
 */
function mediaStorageConfig(values: z.infer<typeof EnvSchema>): MediaStorageConfig {
  const s3Variables = [
    "S3_BUCKET",
    "S3_REGION",
    "S3_ENDPOINT",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_FORCE_PATH_STYLE",
    "S3_PREFIX",
    "S3_SERVER_SIDE_ENCRYPTION",
    "S3_SSE_KMS_KEY_ID",
  ] as const;
  if (values.MEDIA_STORAGE !== "s3") {
    const stray = s3Variables.find((name) => values[name] !== undefined);
    if (stray) throw new ConfigError(`Invalid MEDIA_STORAGE: ${stray} is set, so MEDIA_STORAGE must be s3 (unset, files are kept in DATA_DIR/media)`);
    return { kind: "local" };
  }
  if (!values.S3_BUCKET) throw new ConfigError("Invalid S3_BUCKET: required with MEDIA_STORAGE=s3");
  if (!values.S3_REGION && !values.S3_ENDPOINT) {
    throw new ConfigError("Invalid S3_REGION: required with MEDIA_STORAGE=s3 (the bucket's region, like eu-central-1), unless S3_ENDPOINT is set");
  }
  if (Boolean(values.S3_ACCESS_KEY_ID) !== Boolean(values.S3_SECRET_ACCESS_KEY)) {
    throw new ConfigError("Invalid S3_SECRET_ACCESS_KEY: S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together (neither: the AWS default credential chain)");
  }
  if (values.S3_SSE_KMS_KEY_ID && values.S3_SERVER_SIDE_ENCRYPTION !== "aws:kms") {
    throw new ConfigError("Invalid S3_SSE_KMS_KEY_ID: only with S3_SERVER_SIDE_ENCRYPTION=aws:kms");
  }
  const prefix = values.S3_PREFIX ? values.S3_PREFIX.replace(/\/?$/, "/") : "";
  return {
    kind: "s3",
    bucket: values.S3_BUCKET,
    // S3-compatible services mostly ignore the region, but requests are signed with one.
    region: values.S3_REGION ?? "us-east-1",
    endpoint: values.S3_ENDPOINT?.replace(/\/$/, "") ?? null,
    forcePathStyle: values.S3_FORCE_PATH_STYLE === "on",
    prefix,
    credentials:
      values.S3_ACCESS_KEY_ID && values.S3_SECRET_ACCESS_KEY ? { accessKeyId: values.S3_ACCESS_KEY_ID, secretAccessKey: values.S3_SECRET_ACCESS_KEY } : null,
    serverSideEncryption:
      values.S3_SERVER_SIDE_ENCRYPTION === "aws:kms"
        ? { algorithm: "aws:kms", kmsKeyId: values.S3_SSE_KMS_KEY_ID ?? null }
        : values.S3_SERVER_SIDE_ENCRYPTION === "AES256"
          ? { algorithm: "AES256" }
          : null,
  };
}

/** `30m`, `24h`, `7d` in milliseconds (the schema has checked the shape). */
function durationMs(duration: string): number {
  const unitMs = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
  return Number.parseInt(duration, 10) * unitMs[duration.slice(-1) as keyof typeof unitMs];
}

/** A 32-byte key for one purpose, derived from ENCRYPTION_KEY (HKDF-SHA256). */
function deriveKey(encryptionKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", encryptionKey, Buffer.alloc(0), purpose, 32));
}

function resolveEncryptionKey(fromEnv: string | undefined, nodeEnv: Config["nodeEnv"], nodeEnvFrom: Config["nodeEnvFrom"], dataDir: string): Buffer {
  if (fromEnv) return decodeKey(fromEnv);
  if (nodeEnv === "production") {
    const unset = nodeEnvFrom === "default" ? "; NODE_ENV is unset, which is production (development: NODE_ENV=development or npm start)" : "";
    throw new ConfigError(`Invalid ENCRYPTION_KEY: required in production (32 bytes, base64)${unset}`);
  }
  // Development convenience: a key generated once and kept beside the data it protects.
  const keyFile = path.join(dataDir, "encryption.key");
  if (existsSync(keyFile)) return decodeKey(readFileSync(keyFile, "utf8").trim());
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(keyFile, key.toString("base64"), { mode: 0o600 });
  return key;
}

function decodeKey(encoded: string): Buffer {
  const key = Buffer.from(encoded, "base64");
  if (key.length !== 32) throw new ConfigError("Invalid ENCRYPTION_KEY: must decode to 32 bytes");
  return key;
}

/** The start-up line saying which mode the server runs in and who chose it. */
export function modeLine(config: Pick<Config, "nodeEnv" | "nodeEnvFrom">): string {
  const chosenBy = {
    NODE_ENV: `NODE_ENV=${config.nodeEnv}`,
    "--development": "--development, NODE_ENV unset",
    default: "NODE_ENV unset; NODE_ENV=development or npm start for the demo",
  }[config.nodeEnvFrom];
  return `Switchboard runs as ${config.nodeEnv} (${chosenBy})`;
}

/**
 * One start-up line for each development-only thing this configuration turns on (none in a
 * production configuration unless asked for, like SANDBOX_PROVIDER=on), saying how to turn it off.
 */
export function developmentFeatureLines(config: Config): string[] {
  const on = (what: string) => `Development only, on: ${what}`;
  const lines: string[] = [];
  if (config.demo) lines.push(on("the demo workspace, whose members all log in with one published password (DEMO=off turns it off)"));
  if (config.demoCrm.enabled) lines.push(on(`the demo CRM at ${config.demoCrm.url} (DEMO_CRM=off turns it off)`));
  if (config.pipedrive.usesDemoCrm) {
    lines.push(
      on(
        "the demo CRM is this server's Pipedrive app, and POST /api/v1/dev/simulator/token signs panel tokens for its users (PIPEDRIVE_CLIENT_ID/SECRET or DEMO_CRM=off turn it off)",
      ),
    );
  }
  if (config.hubspot.usesDemoPortal) {
    lines.push(
      on(
        `the demo HubSpot portal at ${config.demoHubspot.url} is this server's HubSpot app, and POST /api/v1/dev/simulator/hubspot/sign signs its card's requests (HUBSPOT_CLIENT_ID/SECRET or DEMO_CRM=off turn it off)`,
      ),
    );
  }
  if (config.whatsapp.sandboxEnabled) {
    lines.push(on("the sandbox WhatsApp provider: sandbox numbers and simulated customer messages (SANDBOX_PROVIDER=off turns it off)"));
  }
  if (config.mail.transport.kind === "catcher") {
    lines.push(
      on(
        `the mail catcher: e-mail goes to a local SMTP server and is listed at ${config.publicUrl}/#/dev/mail (SMTP_URL, SMTP_HOST or MAIL_CATCHER=off turn it off)`,
      ),
    );
  }
  if (config.developmentRoutes) lines.push(on("the CRM simulator at /simulator/ and the routes under /api/v1/dev/ (NODE_ENV=production turns them off)"));
  if (config.nodeEnv !== "production") {
    lines.push(on("webhooks may deliver over http and to loopback addresses (NODE_ENV=production turns this off)"));
  }
  return lines;
}

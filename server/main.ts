import path from "node:path";
import { fileURLToPath } from "node:url";
import { RateLimiterMemory } from "rate-limiter-flexible";
import { ConfigError, loadConfig } from "./config";
import { openDatabase } from "./db/client";
import { seedDemo } from "./demo/seed";
import { createApp } from "./http/app";
import { createLogger } from "./logger";
import type { Services } from "./services";

const productionPasswordCost = { N: 2 ** 15, r: 8, p: 1 };
const webRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "dist", "web");

/** Login attempts per (IP, email): 10 per 15 minutes. */
export function createLoginLimiter() {
  return new RateLimiterMemory({ points: 10, duration: 15 * 60 });
}

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config);
  const database = await openDatabase(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir });
  const services: Services = { config, database, logger, passwordCost: productionPasswordCost, loginLimiter: createLoginLimiter() };
  if (config.demo) {
    const logins = await seedDemo(database.db, productionPasswordCost);
    if (logins) {
      console.log("Demo workspace logins (password for all: %s):", logins[0]?.password);
      for (const login of logins) console.log(`  ${login.roleId.padEnd(12)} ${login.email}`);
    }
  }
  const app = createApp(services, { webRoot });
  const server = app.listen(config.port, () => {
    logger.info({ url: config.publicUrl, engine: database.engine }, "Switchboard is listening");
    console.log(`Switchboard: ${config.publicUrl} (database: ${database.engine})`);
  });
  const shutdown = () => {
    server.close(() => void database.close().then(() => process.exit(0)));
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

await main();

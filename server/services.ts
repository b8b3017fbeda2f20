import type { Logger } from "pino";
import type { RateLimiterMemory } from "rate-limiter-flexible";
import type { Config } from "./config";
import type { DatabaseHandle } from "./db/client";

/** What route handlers and commands share for the life of the process. */
export type Services = {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  /** scrypt cost for new password hashes (lowered only in tests). */
  passwordCost: { N: number; r: number; p: number };
  loginLimiter: RateLimiterMemory;
};

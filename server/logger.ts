import pino from "pino";
import type { Config } from "./config";

export function createLogger(config: Pick<Config, "logLevel" | "nodeEnv">) {
  return pino({
    level: config.nodeEnv === "test" && !process.env.TEST_LOGS ? "silent" : config.logLevel,
    redact: ["req.headers.authorization", "*.password", "*.token", "*.accessToken"],
  });
}

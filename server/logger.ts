import pino from "pino";
import type { Config } from "./config";

export function createLogger(config: Pick<Config, "logLevel" | "nodeEnv">) {
  return pino({
    level: config.nodeEnv === "test" ? "silent" : config.logLevel,
    redact: ["req.headers.authorization", "*.password", "*.token", "*.accessToken"],
  });
}

/** SQLSTATEs of a server that ended or refused the session: admin_shutdown, crash_shutdown, cannot_connect_now. */
const droppedSessionCodes = new Set(["57P01", "57P02", "57P03"]);
/** Node's socket errors of a connection that broke or could not be made. */
const socketErrorCodes = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH"]);
/** node-postgres's own words for a connection that died under it (it sets no code). */
const droppedConnectionMessages = [
  "Connection terminated unexpectedly",
  "Connection terminated",
  "Client has encountered a connection error and is not queryable",
  "Client was closed and is not queryable",
];

/**
 * Whether an error (or any error it wraps, as Drizzle's DrizzleQueryError does) says the database
 * connection was lost rather than that the statement was wrong: the request may simply be retried
 * once the pool has connected again. Class 08 is SQLSTATE's "connection exception".
 */
export function isConnectionLost(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current = error; current && typeof current === "object" && !seen.has(current); current = (current as { cause?: unknown }).cause) {
    seen.add(current);
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === "string" && (droppedSessionCodes.has(code) || socketErrorCodes.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
    if (typeof message === "string" && droppedConnectionMessages.some((known) => message.startsWith(known))) return true;
  }
  return false;
}

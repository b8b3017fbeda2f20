import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { PGlite } from "@electric-sql/pglite";
import type { Services } from "../services";
import type { DataDirLock } from "./lock";
import { takeSnapshot } from "./snapshot";

export type OperatorListener = { port: number; stop(): Promise<void> };

/**
 * Lets `npm run backup` snapshot the embedded database while this server runs: only this
 * process may open DATA_DIR, so the snapshot has to be taken here. It listens on the loopback
 * interface only, on a port of its own (never the public app), and answers only a bearer of the
 * token it writes into DATA_DIR's lock file (mode 0600): whoever can read that can read the
 * database files anyway. Where it listens goes into the lock file too.
 */
export async function startOperatorListener(pglite: PGlite, lock: DataDirLock, logger: Services["logger"]): Promise<OperatorListener> {
  const token = randomBytes(32).toString("base64url");
  const server = createServer((request, response) => {
    if (request.method !== "POST" || request.url !== "/backup") {
      response.writeHead(404).end();
      return;
    }
    if (!bearerMatches(request, token)) {
      response.writeHead(401).end();
      return;
    }
    takeSnapshot(pglite).then(
      (snapshot) => {
        logger.info({ bytes: snapshot.byteLength }, "backup taken for npm run backup");
        response.writeHead(200, { "content-type": "application/gzip", "content-length": snapshot.byteLength }).end(snapshot);
      },
      (error: unknown) => {
        logger.error({ err: error }, "backup failed");
        response.writeHead(500, { "content-type": "text/plain" }).end(error instanceof Error ? error.message : "backup failed");
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  lock.update({ operator: { port, token } });
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function bearerMatches(request: IncomingMessage, token: string) {
  const presented = Buffer.from(request.headers.authorization?.replace(/^Bearer /, "") ?? "");
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

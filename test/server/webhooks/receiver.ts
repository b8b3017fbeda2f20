import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestServer } from "../../support/server";

export type ReceivedRequest = { method: string; path: string; headers: IncomingHttpHeaders; rawBody: string };

/** How the receiver answers its n-th request (0-based): a status, or a custom reply. */
export type Responder = (index: number, request: ReceivedRequest, response: ServerResponse) => number | "handled" | Promise<number | "handled">;

export type Receiver = {
  url: string;
  requests: ReceivedRequest[];
  /** Resolves once `count` requests have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
};

/** A real HTTP endpoint on 127.0.0.1 (random port) that records what webhooks send it. */
export async function startReceiver(respond: Responder = () => 200): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const waiters = new Set<() => void>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", async () => {
      const received = { method: request.method ?? "", path: request.url ?? "", headers: request.headers, rawBody: Buffer.concat(chunks).toString("utf8") };
      const index = requests.push(received) - 1;
      for (const wake of waiters) wake();
      const status = await respond(index, received, response);
      if (status !== "handled") response.writeHead(status, { "content-type": "text/plain" }).end(`answer ${status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    requests,
    waitFor(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (requests.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(requests.slice(0, count));
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`receiver got ${requests.length} of ${count} requests within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Polls `read` until `done` holds for its value (or fails after `timeoutMs`). */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Closes a test server. On PostgreSQL the test database is dropped WITH (FORCE) as soon as
 * pool.end() resolves, which can be before the pool's backends have exited; they are then
 * terminated (57P01) and the ending pool re-emits that as an unhandled 'error'. Only that
 * error is ignored here (test/support/database.ts is where the race should be fixed).
 */
export async function closeTestServer(server: TestServer) {
  server.database.pool?.on("error", (error: Error) => {
    if ((error as { code?: string }).code !== "57P01") throw error;
  });
  await server.close();
}

import pg from "pg";
import type { Logger } from "pino";

const firstRetryMs = 100;
const maxRetryMs = 5000;

/**
 * The wait before reconnection attempt `attempt` (0-based): 100 ms doubling to 5 s, the upper half
 * of it random, so processes that lost their connections together don't reconnect together.
 */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxRetryMs, firstRetryMs * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export type ListenConnection = { stop(): Promise<void> };

/**
 * A PostgreSQL connection that LISTENs on `channels` and, when the server ends it (a restart, a
 * failover, pg_terminate_backend), connects again with backoff and LISTENs anew. NOTIFYs sent
 * while it was away are lost — PostgreSQL keeps none for absent listeners — so what relies on
 * them must also poll (the workers do) or accept a missed live update. The first connection's
 * failure is thrown: a server that cannot reach its database at start should say so.
 */
export async function listenWithReconnect(options: {
  databaseUrl: string;
  channels: string[];
  onNotification: (payload: string, channel: string) => void;
  /** Told when the connection is lost (false) and when it LISTENs again (true): notifications in between are gone. */
  onConnectionChange?: (connected: boolean) => void;
  logger?: Logger;
}): Promise<ListenConnection> {
  let current: pg.Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let attempt = 0;
  let stopped = false;

  const lost = (client: pg.Client, error?: Error) => {
    // Only the live connection's first sign of death counts ('error' and 'end' both come).
    if (client !== current || stopped) return;
    current = undefined;
    options.logger?.warn({ err: error }, "the LISTEN connection was lost; reconnecting");
    options.onConnectionChange?.(false);
    void client.end().catch(() => undefined);
    scheduleReconnect();
  };

  const connect = async (): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: options.databaseUrl });
    client.on("error", (error) => lost(client, error));
    client.on("end", () => lost(client));
    client.on("notification", (message) => message.payload && options.onNotification(message.payload, message.channel));
    try {
      await client.connect();
      for (const channel of options.channels) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      void client.end().catch(() => undefined);
      throw error;
    }
    return client;
  };

  const scheduleReconnect = () => {
    if (stopped) return;
    retryTimer = setTimeout(() => void reconnect(), reconnectDelayMs(attempt++));
  };

  const reconnect = async () => {
    retryTimer = undefined;
    try {
      const client = await connect();
      if (stopped) return void (await client.end().catch(() => undefined));
      current = client;
      options.onConnectionChange?.(true);
      options.logger?.info({ attempts: attempt }, "the LISTEN connection is back");
      attempt = 0;
    } catch (error) {
      options.logger?.warn({ err: error, attempt }, "could not reconnect the LISTEN connection");
      scheduleReconnect();
    }
  };

  current = await connect();
  return {
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      const client = current;
      current = undefined;
      await client?.end();
    },
  };
}

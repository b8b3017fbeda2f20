import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { DatabaseHandle, Executor } from "../db/client";
import { listenWithReconnect } from "./listen-connection";

export const eventChannel = "switchboard_events";
/** Where a starting process checks that its LISTEN session hears what its pool NOTIFYs (nobody else listens there). */
export const probeChannel = "switchboard_listen_probe";
/** How long a starting process waits for its own probe notification. */
export const listenProbeTimeoutMs = 5000;

/**
 * The LISTEN session does not hear what the pool publishes: it goes through a transaction-mode
 * pooler (which drops notifications without an error) or reaches another database.
 */
export class ListenProbeFailed extends Error {}

export const inboxEventTypes = ["message.created", "message.status", "message.reaction", "message.deleted", "chat.assigned", "chat.unassigned"] as const;
export type InboxEventType = (typeof inboxEventTypes)[number];

/** What travels through NOTIFY: ids only (the payload limit is 8 kB); listeners load the rest. */
export type BusEvent =
  /** `previousResponsibleId`: on chat.assigned/unassigned, who was responsible before (they may have just lost the chat). */
  | { type: InboxEventType; workspaceId: string; chatId: string; messageId?: string; previousResponsibleId?: string }
  | { type: "access.changed"; workspaceId: string }
  /** Tokens deleted (logout, token deletion, key rotation): streams opened with them end. */
  | { type: "tokens.revoked"; workspaceId: string; tokenIds: string[] }
  /** A member read a chat, or marked it unread: their read state changed (heard only by that member's streams). */
  | { type: "chat.read_state"; workspaceId: string; chatId: string; memberId: string }
  /** A member asked to take over a chat held under the ownership lock: heard by `recipientIds` only (its responsible and the team's managers). */
  | {
      type: "chat.take_over_requested";
      workspaceId: string;
      chatId: string;
      requestId: string;
      requestedBy: { id: string; name: string };
      recipientIds: string[];
    }
  /** A campaign's state or counts changed (sent at most every few hundred ms per campaign). */
  | { type: "campaign.progress"; workspaceId: string; campaignId: string };

/**
 * Publishes an event in the caller's transaction: NOTIFY is delivered on commit and not at all
 * on rollback, to every server process listening (PostgreSQL) or to this one (PGlite).
 */
export async function publish(db: Executor, event: BusEvent): Promise<void> {
  await publishAll(db, [event]);
}

/** Publishes several events in one statement (one round trip), with the same guarantees as publish. */
export async function publishAll(db: Executor, events: BusEvent[]): Promise<void> {
  if (events.length === 0) return;
  const payloads = JSON.stringify(events.map((event) => JSON.stringify(event)));
  await db.execute(sql`select pg_notify(${eventChannel}, event) from jsonb_array_elements_text(${payloads}::jsonb) as event`);
}

type Listener = (event: BusEvent) => void;

/** How long events given to publishAfterCommit gather before they go out together. */
export const afterCommitBatchMs = 20;

/** This process's end of the bus: one LISTEN connection, fanned out to in-process listeners. */
export class EventHub {
  private readonly listeners = new Set<Listener>();
  private readonly connectionListeners = new Set<(connected: boolean) => void>();
  private stopListening: (() => Promise<void>) | undefined;
  private database: DatabaseHandle | undefined;
  private queued: BusEvent[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  /**
   * Publishes events of changes the caller has already committed, gathered for a few ms and sent
   * in one statement outside any transaction. For hot paths (a campaign's sends): a transaction
   * that NOTIFYs holds a database-wide lock until its commit is flushed, so NOTIFY inside every
   * send's transaction would serialize their commits. A crash in between loses only the live
   * update; the change itself is committed.
   */
  publishAfterCommit(events: BusEvent[]): void {
    if (!this.database || events.length === 0) return;
    this.queued.push(...events);
    this.flushTimer ??= setTimeout(() => void this.flush(), afterCommitBatchMs);
  }

  private flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const events = this.queued;
    this.queued = [];
    const database = this.database;
    this.flushing = this.flushing.then(async () => {
      // Best-effort, like any live update: the changes themselves are committed.
      if (database && events.length > 0) await publishAll(database.db, events).catch(() => undefined);
    });
    return this.flushing;
  }

  /**
   * Starts delivering events. On PostgreSQL, `listenUrl` (DATABASE_LISTEN_URL, else DATABASE_URL)
   * gets a session of its own outside the pool, and a probe NOTIFY sent through the pool must reach
   * it within listenProbeTimeoutMs: otherwise ListenProbeFailed, since live updates and revocations
   * would silently stop crossing processes.
   */
  async start(database: DatabaseHandle, listenUrl?: string, logger?: Logger): Promise<void> {
    this.database = database;
    const deliver = (payload: string) => {
      const event = JSON.parse(payload) as BusEvent;
      for (const listener of this.listeners) {
        // One listener's failure must neither starve the others nor escape into the connection's handler.
        try {
          listener(event);
        } catch (error) {
          logger?.error({ err: error, type: event.type }, "an event listener failed");
        }
      }
    };
    if (database.pglite) {
      this.stopListening = await database.pglite.listen(eventChannel, deliver);
      return;
    }
    if (!listenUrl) throw new Error("EventHub needs the database URL to LISTEN on PostgreSQL");
    const probeId = randomUUID();
    let probeHeard: () => void = () => undefined;
    const heard = new Promise<void>((resolve) => {
      probeHeard = resolve;
    });
    const connection = await listenWithReconnect({
      databaseUrl: listenUrl,
      channels: [eventChannel, probeChannel],
      onNotification: (payload, channel) => {
        if (channel !== probeChannel) deliver(payload);
        else if (payload === probeId) probeHeard();
      },
      onConnectionChange: (connected) => this.connectionChanged(connected),
      logger,
    });
    this.stopListening = () => connection.stop();
    await database.db.execute(sql`select pg_notify(${probeChannel}, ${probeId})`);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), listenProbeTimeoutMs)));
    const outcome = await Promise.race([heard, timedOut]);
    clearTimeout(timer);
    if (outcome === "timeout") {
      await this.stop();
      throw new ListenProbeFailed(
        `live updates would not cross processes: a NOTIFY sent through DATABASE_URL did not reach the LISTEN session within ${listenProbeTimeoutMs / 1000} s. ` +
          "Point DATABASE_LISTEN_URL straight at PostgreSQL (or at a session-mode pooler) on the same database; a transaction-mode pooler drops notifications.",
      );
    }
  }

  /**
   * Tells `listener` when this process stops hearing the bus (its LISTEN connection was lost:
   * events meanwhile are never delivered) and when it hears it again. What caches on the strength
   * of events (the webhook routes) must not trust itself in between.
   */
  onConnectionChange(listener: (connected: boolean) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  /** The LISTEN connection was lost (false) or is back (true); exported for tests. */
  connectionChanged(connected: boolean): void {
    for (const listener of this.connectionListeners) listener(connected);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    await this.flush();
    this.database = undefined;
    await this.stopListening?.();
    this.listeners.clear();
    this.connectionListeners.clear();
  }
}

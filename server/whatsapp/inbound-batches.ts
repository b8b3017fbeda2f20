import { type InboundMessage, ingestInboundMessage, ingestInboundMessages } from "../inbox/ingest";
import type { Services } from "../services";

/**
 * Transactions of customers' messages one process runs at once; what arrives meanwhile waits for
 * the next. Measured with two processes on 2 cores (test/bench/ingest-only.ts, 20,000 webhooks, 64
 * in flight): 8 → ~550/s, 4 → ~750/s, 2 → ~1,070–1,210/s, 1 → ~1,200–1,330/s; fewer, larger
 * batches contend less on the contacts' and chats' rows and commit less often. 2 rather than 1, so
 * one transaction waiting on a lock does not hold up every webhook of the process.
 */
export const maxBatchesInFlight = 2;
/** The most messages one transaction stores. */
export const maxBatchSize = 100;

type Ingested = Awaited<ReturnType<typeof ingestInboundMessage>>;
type Waiting = { inbound: InboundMessage; done: (result: Ingested) => void; failed: (error: unknown) => void };

/**
 * Meta's webhooks, stored together: messages that arrive while earlier ones are being written
 * wait and go in the next transaction, so under load many webhooks share one BEGIN/COMMIT (one
 * WAL flush) and one outgoing-webhook and CRM statement. An idle server writes a lone message at
 * once. Each caller's promise settles when its own message is committed, so Meta is answered
 * only after that. When a batch fails (one message it cannot store, or two batches deadlocking),
 * its messages are written again one transaction each, so one bad message fails only itself.
 */
export class InboundBatches {
  private readonly queue: Waiting[] = [];
  private inFlight = 0;

  constructor(private readonly services: Services) {}

  ingest(inbound: InboundMessage): Promise<Ingested> {
    return new Promise((done, failed) => {
      this.queue.push({ inbound, done, failed });
      this.startBatches();
    });
  }

  private startBatches(): void {
    while (this.inFlight < maxBatchesInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, maxBatchSize);
      this.inFlight++;
      void this.write(batch).finally(() => {
        this.inFlight--;
        this.startBatches();
      });
    }
  }

  private async write(batch: Waiting[]): Promise<void> {
    const { db } = this.services.database;
    const publishAfterCommit = (events: Parameters<Services["events"]["publishAfterCommit"]>[0]) => this.services.events.publishAfterCommit(events);
    let results: Ingested[];
    try {
      results = await ingestInboundMessages(
        db,
        batch.map((waiting) => waiting.inbound),
        publishAfterCommit,
      );
    } catch (error) {
      if (batch.length === 1) return void (batch[0] as Waiting).failed(error);
      this.services.logger.warn({ err: error, messages: batch.length }, "a batch of inbound messages failed; storing them one by one");
      await Promise.all(batch.map((waiting) => ingestInboundMessage(db, waiting.inbound, undefined, publishAfterCommit).then(waiting.done, waiting.failed)));
      return;
    }
    for (const [index, waiting] of batch.entries()) waiting.done(results[index] as Ingested);
  }
}

const batchers = new WeakMap<Services, InboundBatches>();

/** The process's inbound batches (one per Services, made on first use). */
export function inboundBatches(services: Services): InboundBatches {
  let batches = batchers.get(services);
  if (!batches) {
    batches = new InboundBatches(services);
    batchers.set(services, batches);
  }
  return batches;
}

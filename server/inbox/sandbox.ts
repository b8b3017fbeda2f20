import type { Services } from "../services";
import { applyStatuses, type StatusUpdate } from "./statuses";

export const sandboxReceiptDelaysMs = { delivered: 300, read: 900 };
/** Receipts falling due together are applied as one batch, at most this often. */
export const sandboxReceiptBatchMs = 100;

type Receipt = StatusUpdate & { dueAt: number };
type ReceiptQueue = { due: Receipt[]; timer: NodeJS.Timeout | undefined; flushing: Promise<void>; stopped: boolean };
const queues = new WeakMap<Services, ReceiptQueue>();

/**
 * The sandbox imitates a phone: the message is delivered, then read, a moment later. Like Meta,
 * which sends statuses in batches, receipts that fall due within one interval are applied
 * together (server/inbox/statuses.ts applyStatuses), so a busy number's receipts cost a few
 * statements per batch rather than a transaction per message and status.
 */
export function scheduleSandboxReceipts(services: Services, workspaceId: string, providerMessageId: string): void {
  const queue = receiptQueue(services);
  if (queue.stopped) return;
  const now = Date.now();
  for (const status of ["delivered", "read"] as const)
    queue.due.push({ workspaceId, providerMessageId, status, at: new Date(now + sandboxReceiptDelaysMs[status]), dueAt: now + sandboxReceiptDelaysMs[status] });
  if (!queue.timer) armTimer(services, queue);
}

function receiptQueue(services: Services): ReceiptQueue {
  let queue = queues.get(services);
  if (!queue) {
    const created: ReceiptQueue = { due: [], timer: undefined, flushing: Promise.resolve(), stopped: false };
    queue = created;
    queues.set(services, created);
    services.background.add({
      stop: async () => {
        created.stopped = true;
        clearTimeout(created.timer);
        created.timer = undefined;
        created.due = [];
        await created.flushing;
      },
    });
  }
  return queue;
}

function armTimer(services: Services, queue: ReceiptQueue) {
  const next = Math.min(...queue.due.map((receipt) => receipt.dueAt));
  queue.timer = setTimeout(() => flush(services, queue), Math.max(sandboxReceiptBatchMs, next - Date.now()));
  queue.timer.unref();
}

function flush(services: Services, queue: ReceiptQueue) {
  const now = Date.now();
  const ready = queue.due.filter((receipt) => receipt.dueAt <= now);
  queue.due = queue.due.filter((receipt) => receipt.dueAt > now);
  queue.timer = undefined;
  queue.flushing = queue.flushing
    .then(() =>
      applyStatuses(
        services.database.db,
        ready.map(({ dueAt: _dueAt, ...update }) => update),
      ),
    )
    .then(
      () => undefined,
      (error: unknown) => services.logger.warn({ err: error }, "sandbox receipts failed"),
    )
    .finally(() => {
      if (queue.due.length > 0 && !queue.timer && !queue.stopped) armTimer(services, queue);
    });
}

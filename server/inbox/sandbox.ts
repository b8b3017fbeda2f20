import type { Services } from "../services";
import { applyStatus } from "./statuses";

const timers = new WeakMap<Services, Set<NodeJS.Timeout>>();
export const sandboxReceiptDelaysMs = { delivered: 300, read: 900 };

/** The sandbox imitates a phone: the message is delivered, then read, a moment later. */
export function scheduleSandboxReceipts(services: Services, workspaceId: string, providerMessageId: string): void {
  let pending = timers.get(services);
  if (!pending) {
    const created = new Set<NodeJS.Timeout>();
    pending = created;
    timers.set(services, created);
    services.background.add({ stop: () => created.forEach(clearTimeout) });
  }
  const set = pending;
  for (const status of ["delivered", "read"] as const) {
    const timer = setTimeout(() => {
      set.delete(timer);
      applyStatus(services.database.db, { workspaceId, providerMessageId, status, at: new Date() }).catch((error) =>
        services.logger.warn({ err: error }, "sandbox receipt failed"),
      );
    }, sandboxReceiptDelaysMs[status]);
    timer.unref();
    set.add(timer);
  }
}

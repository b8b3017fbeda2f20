import { and, eq, inArray } from "drizzle-orm";
import { whatsappAccounts, whatsappRoutes } from "../db/schema";
import type { Services } from "../services";

/** Where Meta's webhooks for one phone_number_id go, and the app secret that may sign them. */
export type WebhookRoute = { phoneNumberId: string; workspaceId: string; accountId: string; appSecretEncrypted: string | null };

/**
 * How long a route is trusted without asking the database again. Disconnecting an account also
 * drops its workspace's routes at once in every process (below), and while the process's LISTEN
 * connection is down (notifications lost) nothing is cached; the TTL is the last bound.
 */
export const webhookRouteTtlMs = 5_000;

/**
 * phone_number_id → route, kept in memory so a webhook does not ask PostgreSQL for it every time.
 * Only routes that exist are kept: a number connected a moment ago (maybe by another process) is
 * found on its first webhook. Disconnecting publishes `access.changed` (NOTIFY, every process);
 * on it the workspace's routes are forgotten, so no webhook is served to a disconnected account.
 */
export class WebhookRouteCache {
  private readonly routes = new Map<string, { route: WebhookRoute; until: number }>();
  /** Bumped by every forget: a read that started before one may hold a route gone since, and is not kept. */
  private generation = 0;
  /** False while the bus is not heard (its LISTEN connection lost): a drop could be missed. */
  private hearingBus = true;

  constructor(
    private readonly services: Services,
    private readonly now: () => number = Date.now,
  ) {
    services.events.subscribe((event) => {
      if (event.type === "access.changed") this.forgetWorkspace(event.workspaceId);
    });
    // Lost or back: either way an access.changed may have gone unheard, so forget everything.
    services.events.onConnectionChange((connected) => {
      this.hearingBus = connected;
      this.generation++;
      this.routes.clear();
    });
  }

  async routesFor(phoneNumberIds: string[]): Promise<WebhookRoute[]> {
    const now = this.now();
    const found: WebhookRoute[] = [];
    const missing: string[] = [];
    for (const id of new Set(phoneNumberIds)) {
      const cached = this.routes.get(id);
      if (cached && cached.until > now) found.push(cached.route);
      else missing.push(id);
    }
    if (missing.length === 0) return found;
    const generation = this.generation;
    const loaded = await this.services.database.db
      .select({
        phoneNumberId: whatsappRoutes.phoneNumberId,
        workspaceId: whatsappRoutes.workspaceId,
        accountId: whatsappRoutes.accountId,
        appSecretEncrypted: whatsappAccounts.appSecretEncrypted,
      })
      .from(whatsappRoutes)
      .innerJoin(whatsappAccounts, and(eq(whatsappAccounts.workspaceId, whatsappRoutes.workspaceId), eq(whatsappAccounts.id, whatsappRoutes.accountId)))
      .where(inArray(whatsappRoutes.phoneNumberId, missing));
    if (generation === this.generation && this.hearingBus) {
      const until = this.now() + webhookRouteTtlMs;
      for (const route of loaded) this.routes.set(route.phoneNumberId, { route, until });
    }
    return [...found, ...loaded];
  }

  /** Drops the workspace's routes (its accounts changed); the next webhook reads them again. */
  forgetWorkspace(workspaceId: string): void {
    this.generation++;
    for (const [id, { route }] of this.routes) if (route.workspaceId === workspaceId) this.routes.delete(id);
  }
}

const caches = new WeakMap<Services, WebhookRouteCache>();

/** The process's route cache (one per Services, made on first use). */
export function webhookRouteCache(services: Services): WebhookRouteCache {
  let cache = caches.get(services);
  if (!cache) {
    cache = new WebhookRouteCache(services);
    caches.set(services, cache);
  }
  return cache;
}

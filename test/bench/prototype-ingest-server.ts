// A what-if, not the app: POST /inbound/whatsapp done the way RESULTS.md proposes, run as its own
// process by the ingestion benchmark beside the real server/main.ts. Same Express, helmet,
// signature check (verifyWebhookSignature), payload parser (parseWebhook) and phone handling
// (toE164) as the app; what differs is what ingestion sends to PostgreSQL:
//   - the route (phone_number_id → workspace, account) cached in memory for a minute;
//   - the whole write as one statement (single-statement-ingest.ts), one round trip, no BEGIN/COMMIT;
//   - the live-update NOTIFY taken out of the message's transaction: events are queued and
//     published every 20 ms in one statement, so message commits share WAL flushes again;
//   - with PROTOTYPE_MODE=batch, concurrent webhooks also share one statement and one commit:
//     each waits for the next batch (at most 4 in flight, so an idle server adds no delay).
// Phone senders only (the benchmark's webhooks); the app also resolves BSUID-only senders.
import express from "express";
import helmet from "helmet";
import pg from "pg";
import { newId } from "../../server/ids";
import { toE164 } from "../../server/inbox/contacts";
import { parseWebhook } from "../../server/whatsapp/webhook-payload";
import { verifyWebhookSignature } from "../../server/whatsapp/webhook-signature";
import { batchedIngest, singleStatementIngest } from "./single-statement-ingest";

const { PORT, DATABASE_URL, WHATSAPP_APP_SECRET, PUBLIC_URL, PROTOTYPE_MODE } = process.env;
if (!PORT || !DATABASE_URL || !WHATSAPP_APP_SECRET || !PUBLIC_URL) throw new Error("PORT, DATABASE_URL, WHATSAPP_APP_SECRET and PUBLIC_URL are required");
const appSecret = WHATSAPP_APP_SECRET;
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });

type Route = { workspaceId: string; accountId: string };
const routeCacheMs = 60_000;
const routes = new Map<string, { route: Route | null; until: number }>();

async function routeFor(phoneNumberId: string): Promise<Route | null> {
  const cached = routes.get(phoneNumberId);
  if (cached && cached.until > Date.now()) return cached.route;
  const { rows } = await pool.query<{ workspace_id: string; account_id: string }>(
    "select workspace_id, account_id from whatsapp_routes where phone_number_id = $1",
    [phoneNumberId],
  );
  const route = rows[0] ? { workspaceId: rows[0].workspace_id, accountId: rows[0].account_id } : null;
  routes.set(phoneNumberId, { route, until: Date.now() + routeCacheMs });
  return route;
}

type Inbound = { accountId: string; phone: string; name: string | null; wamid: string; text: string; receivedAt: Date };
type Stored = { id: string; chat_id: string };

/** One round trip per message. */
async function storeOne(workspaceId: string, inbound: Inbound): Promise<Stored[]> {
  const values = [
    workspaceId,
    inbound.accountId,
    inbound.phone,
    inbound.name,
    newId("ct"),
    newId("chat"),
    newId("msg"),
    inbound.wamid,
    inbound.text,
    inbound.receivedAt.toISOString(),
  ];
  return (await pool.query<Stored>(singleStatementIngest, values)).rows;
}

type Waiting = { workspaceId: string; inbound: Inbound; messageId: string; done: (stored: Stored[]) => void; failed: (error: unknown) => void };
const queue: Waiting[] = [];
const maxBatchesInFlight = 4;
let batchesInFlight = 0;

/** Messages that arrive while batches are in flight wait and go together in the next one. */
function storeBatched(workspaceId: string, inbound: Inbound): Promise<Stored[]> {
  return new Promise((done, failed) => {
    queue.push({ workspaceId, inbound, messageId: newId("msg"), done, failed });
    flushBatches();
  });
}

function flushBatches() {
  while (batchesInFlight < maxBatchesInFlight && queue.length > 0) {
    const workspaceId = (queue[0] as Waiting).workspaceId;
    const batch = queue.filter((waiting) => waiting.workspaceId === workspaceId).slice(0, 500);
    for (const waiting of batch) queue.splice(queue.indexOf(waiting), 1);
    batchesInFlight++;
    const column = <T>(pick: (waiting: Waiting) => T) => batch.map(pick);
    pool
      .query<Stored>(batchedIngest, [
        workspaceId,
        column((waiting) => waiting.inbound.accountId),
        column((waiting) => waiting.inbound.phone),
        column((waiting) => waiting.inbound.name),
        column(() => newId("ct")),
        column(() => newId("chat")),
        column((waiting) => waiting.messageId),
        column((waiting) => waiting.inbound.wamid),
        column((waiting) => waiting.inbound.text),
        column((waiting) => waiting.inbound.receivedAt.toISOString()),
      ])
      .then(
        ({ rows }) => {
          for (const waiting of batch) waiting.done(rows.filter((row) => row.id === waiting.messageId));
        },
        (error) => {
          for (const waiting of batch) waiting.failed(error);
        },
      )
      .finally(() => {
        batchesInFlight--;
        flushBatches();
      });
  }
}

const store = PROTOTYPE_MODE === "batch" ? storeBatched : storeOne;

const pendingEvents: string[] = [];
const publisher = setInterval(() => {
  if (pendingEvents.length === 0) return;
  const batch = pendingEvents.splice(0);
  pool.query("select pg_notify('switchboard_events', event) from unnest($1::text[]) event", [batch]).catch((error) => console.error("publish failed", error));
}, 20);

const app = express();
app.use(helmet());
app.get("/api/v1/openapi.json", (_request, response) => {
  response.json({ servers: [{ url: `${PUBLIC_URL}/api/v1` }] });
});
app.post("/api/v1/inbound/whatsapp", express.raw({ type: () => true, limit: "1mb" }), async (request, response, next) => {
  try {
    const raw: Buffer = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    if (!verifyWebhookSignature(appSecret, raw, request.get("x-hub-signature-256"))) {
      response.status(401).json({ title: "Bad signature" });
      return;
    }
    let received = 0;
    for (const event of parseWebhook(JSON.parse(raw.toString("utf8")))) {
      if (event.kind !== "message") continue;
      const route = await routeFor(event.phoneNumberId);
      const phone = toE164(event.from.phone);
      if (!route || !phone) continue;
      const rows = await store(route.workspaceId, {
        accountId: route.accountId,
        phone,
        name: event.contactName ?? null,
        wamid: event.wamid,
        text: event.text,
        receivedAt: event.timestamp,
      });
      for (const row of rows)
        pendingEvents.push(JSON.stringify({ type: "message.created", workspaceId: route.workspaceId, chatId: row.chat_id, messageId: row.id }));
      received++;
    }
    response.json({ received });
  } catch (error) {
    next(error);
  }
});

const server = app.listen(Number(PORT), (error?: Error) => {
  if (error) throw error;
  console.log(`Switchboard: ingestion prototype (${PROTOTYPE_MODE === "batch" ? "batched" : "one statement per message"}) on ${PUBLIC_URL}`);
});
process.on("SIGTERM", () => {
  clearInterval(publisher);
  server.close(() => void pool.end().then(() => process.exit(0)));
});

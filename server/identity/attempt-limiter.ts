import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import type { Config } from "../config";
import type { DatabaseHandle } from "../db/client";
import { attemptBudgets } from "../db/schema";
import { HttpProblem } from "../http/problem";

const windowSeconds = 15 * 60;

/** One password check in progress: report that the password was right, or let the attempt count. */
export type PasswordAttempt = {
  /** The password proved the account: its failures are forgotten and the address gets its point back. */
  succeeded(): Promise<void>;
};

/**
 * The one throttle in front of every password check (POST /sessions, POST /join-requests,
 * POST /invitations/:token/accept), every signup and every login-session cookie presented, so no
 * route is a side door around the login limit. Two budgets per 15 minutes: per account (its email, from any address: distributed
 * guessing) and per address (over every account and signup: spraying and email enumeration).
 * Points are spent before the check, so parallel requests cannot all slip through; a right
 * password gives the point back, so only failures (and signups) add up. On PostgreSQL the counters
 * live in the database (attempt_budgets), so every server process spends from the same budgets.
 */
export type AttemptLimiter = {
  /** Spends an attempt of the address, then of the account; 429 with Retry-After when either is spent. */
  passwordAttempt(input: { ip: string | null; email: string }): Promise<PasswordAttempt>;
  /** Spends an attempt of the address for a signup, never given back. */
  signupAttempt(ip: string | null): Promise<void>;
  /**
   * A password-reset e-mail asked for: spends the address's budget (never given back) and one of
   * the email's own few reset mails, whether or not the email has an account, so the answer (and
   * the 429) says nothing about it; the email's login budget is untouched, so asking for resets
   * cannot lock anyone out.
   */
  resetRequest(input: { ip: string | null; email: string }): Promise<void>;
  /**
   * A login-session cookie presented at POST /sessions/cookie-exchange: spends an attempt of the
   * address (its secret cannot be guessed, but a refused cookie counts like a wrong password); a
   * cookie that proved its login session gives the point back.
   */
  cookieAttempt(ip: string | null): Promise<PasswordAttempt>;
  /** Lets go of the limiter's own database connections. */
  close(): Promise<void>;
};

/** Reset e-mails per email address per 15 minutes: enough for a lost one, too few to flood a mailbox. */
export const resetMailsPerEmail = 3;

/** How often expired counters are deleted. */
const pruneEveryMs = 60_000;

type BudgetKind = "account" | "address" | "reset";

/** Where the counters live: fixed windows of 15 minutes from a key's first attempt. */
type Budgets = {
  /** Spends one attempt; how many the window has seen, this one included, and when it ends. */
  spend(keyHash: string): Promise<{ spent: number; msLeft: number }>;
  giveBack(keyHash: string): Promise<void>;
  forget(keyHash: string): Promise<void>;
  close(): Promise<void>;
};

/**
 * Creates the limiter. On PostgreSQL the counters are shared by every process, through a pool of
 * its own (two connections): a spend commits on its own even when the route's transaction rolls
 * back (a refused password), and it must not wait for a connection of the route's pool, whose
 * every connection may be held by a login waiting for it. Embedded PGlite has one process (DATA_DIR's
 * lock) and one connection, held by the route's transaction: there the counters are in memory.
 */
export function createAttemptLimiter(limits: Config["loginLimits"], database: Pick<DatabaseHandle, "pglite" | "databaseUrl">): AttemptLimiter {
  const budgets = database.pglite || !database.databaseUrl ? memoryBudgets() : databaseBudgets(database.databaseUrl);
  const points: Record<BudgetKind, number> = { account: limits.perAccount, address: limits.perIp, reset: resetMailsPerEmail };
  const spend = async (kind: BudgetKind, value: string) => {
    const { spent, msLeft } = await budgets.spend(keyHash(kind, value));
    if (spent <= points[kind]) return;
    // security-log: login.rate_limited (key kind: the budget's kind, the address or the account's email)
    const retryAfterSeconds = Math.max(1, Math.ceil(msLeft / 1000));
    throw new HttpProblem(429, "rate_limited", "Too many attempts", `Too many attempts; try again in ${retryAfterSeconds} seconds.`, { retryAfterSeconds });
  };
  const addressKey = (ip: string | null) => ip ?? "unknown";
  return {
    async passwordAttempt({ ip, email }) {
      // The address first: an address already cut off spends nothing of the victim's account.
      await spend("address", addressKey(ip));
      await spend("account", email);
      return {
        async succeeded() {
          await budgets.forget(keyHash("account", email));
          await budgets.giveBack(keyHash("address", addressKey(ip)));
        },
      };
    },
    async signupAttempt(ip) {
      await spend("address", addressKey(ip));
    },
    async resetRequest({ ip, email }) {
      await spend("address", addressKey(ip));
      await spend("reset", email);
    },
    async cookieAttempt(ip) {
      await spend("address", addressKey(ip));
      return {
        async succeeded() {
          await budgets.giveBack(keyHash("address", addressKey(ip)));
        },
      };
    },
    close: () => budgets.close(),
  };
}

/** No email or address is stored: counters are found by a hash of kind and value. */
function keyHash(kind: BudgetKind, value: string): string {
  return createHash("sha256").update(`${kind}:${value}`).digest("hex");
}

/**
 * The counters in attempt_budgets: one autocommit statement per call, database time throughout.
 * Written here rather than with rate-limiter-flexible's Postgres store, which sends named prepared
 * statements (rlflx-upsert, rlflx-get …) that pgbouncer before 1.21 cannot carry between
 * transactions, and creates its own table outside the migration history.
 */
function databaseBudgets(databaseUrl: string): Budgets {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  // A connection PostgreSQL ends: dropped, and the next spend connects anew (as in db/client.ts).
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  const db = drizzle(pool);
  let prunedAt = 0;
  return {
    async spend(keyHash) {
      if (Date.now() - prunedAt > pruneEveryMs) {
        prunedAt = Date.now();
        await db.delete(attemptBudgets).where(sql`${attemptBudgets.windowEndsAt} <= now()`);
      }
      const { rows } = await db.execute<{ spent: number; ms_left: string }>(sql`
        insert into ${attemptBudgets} (key_hash, spent, window_ends_at)
        values (${keyHash}, 1, now() + make_interval(secs => ${windowSeconds}))
        on conflict (key_hash) do update set
          spent = case when ${attemptBudgets.windowEndsAt} <= now() then 1 else ${attemptBudgets.spent} + 1 end,
          window_ends_at = case when ${attemptBudgets.windowEndsAt} <= now() then excluded.window_ends_at else ${attemptBudgets.windowEndsAt} end
        returning spent, extract(epoch from (window_ends_at - now())) * 1000 as ms_left`);
      const row = rows[0];
      if (!row) throw new Error("attempt_budgets: the upsert returned no row");
      return { spent: row.spent, msLeft: Number(row.ms_left) };
    },
    async giveBack(keyHash) {
      await db.execute(
        sql`update ${attemptBudgets} set spent = greatest(spent - 1, 0) where ${attemptBudgets.keyHash} = ${keyHash} and ${attemptBudgets.windowEndsAt} > now()`,
      );
    },
    async forget(keyHash) {
      await db.delete(attemptBudgets).where(sql`${attemptBudgets.keyHash} = ${keyHash}`);
    },
    close: () => pool.end(),
  };
}

/** The same counters in this process's memory (embedded PGlite: one process). */
function memoryBudgets(): Budgets {
  const counters = new Map<string, { spent: number; windowEndsAt: number }>();
  let prunedAt = 0;
  return {
    async spend(keyHash) {
      const now = Date.now();
      if (now - prunedAt > pruneEveryMs) {
        prunedAt = now;
        for (const [key, counter] of counters) if (counter.windowEndsAt <= now) counters.delete(key);
      }
      const current = counters.get(keyHash);
      const counter = current && current.windowEndsAt > now ? { ...current, spent: current.spent + 1 } : { spent: 1, windowEndsAt: now + windowSeconds * 1000 };
      counters.set(keyHash, counter);
      return { spent: counter.spent, msLeft: counter.windowEndsAt - now };
    },
    async giveBack(keyHash) {
      const counter = counters.get(keyHash);
      if (counter && counter.windowEndsAt > Date.now()) counter.spent = Math.max(0, counter.spent - 1);
    },
    async forget(keyHash) {
      counters.delete(keyHash);
    },
    async close() {},
  };
}

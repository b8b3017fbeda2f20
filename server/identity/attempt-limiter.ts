import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { Config } from "../config";
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
 * password gives the point back, so only failures (and signups) add up.
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
};

/** Reset e-mails per email address per 15 minutes: enough for a lost one, too few to flood a mailbox. */
export const resetMailsPerEmail = 3;

/** Creates the process-wide limiter (in memory: each server process counts on its own). */
export function createAttemptLimiter(limits: Config["loginLimits"]): AttemptLimiter {
  const byAccount = new RateLimiterMemory({ keyPrefix: "account", points: limits.perAccount, duration: windowSeconds });
  const byAddress = new RateLimiterMemory({ keyPrefix: "address", points: limits.perIp, duration: windowSeconds });
  const resetMails = new RateLimiterMemory({ keyPrefix: "reset", points: resetMailsPerEmail, duration: windowSeconds });
  const addressKey = (ip: string | null) => ip ?? "unknown";
  return {
    async passwordAttempt({ ip, email }) {
      // The address first: an address already cut off spends nothing of the victim's account.
      await spend(byAddress, addressKey(ip));
      await spend(byAccount, email);
      return {
        async succeeded() {
          await byAccount.delete(email);
          await byAddress.reward(addressKey(ip), 1);
        },
      };
    },
    async signupAttempt(ip) {
      await spend(byAddress, addressKey(ip));
    },
    async resetRequest({ ip, email }) {
      await spend(byAddress, addressKey(ip));
      await spend(resetMails, email);
    },
    async cookieAttempt(ip) {
      await spend(byAddress, addressKey(ip));
      return {
        async succeeded() {
          await byAddress.reward(addressKey(ip), 1);
        },
      };
    },
  };
}

async function spend(limiter: RateLimiterMemory, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    // security-log: login.rate_limited (key kind: limiter.keyPrefix, the address or the account's email)
    const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    throw new HttpProblem(429, "rate_limited", "Too many attempts", `Too many attempts; try again in ${retryAfterSeconds} seconds.`, { retryAfterSeconds });
  }
}

// The shape of the benchmark workspace, as data: who holds which built-in role, who connected
// which account, and the members whose tokens the latency runs use. The seeder and the report
// both read it, so the description in RESULTS.md cannot drift from what was seeded.

export const memberCount = 50;
export const accountCount = 20;

/** Member index ranges per built-in role (index 0 is the Owner). */
export const roleRanges = [
  { roleId: "owner", first: 0, last: 0 },
  { roleId: "admin", first: 1, last: 4 },
  { roleId: "teammate", first: 5, last: 12 },
  { roleId: "agent", first: 13, last: 42 },
  { roleId: "collaborator", first: 43, last: 49 },
] as const;

export const memberId = (index: number) => `mem_b${String(index).padStart(2, "0")}`;
export const accountId = (index: number) => `acct_b${String(index).padStart(2, "0")}`;
export const accountPhoneNumberId = (index: number) => `90000000${String(index).padStart(2, "0")}`;

/** Accounts 0–13 are connected by agents 13–26, accounts 14–19 by teammates 5–10. */
export function accountConnector(accountIndex: number): number {
  return accountIndex < 14 ? 13 + accountIndex : 5 + (accountIndex - 14);
}

/** Share of chats on each account: `floor(20 · u^1.7)` for uniform u, so account 0 is the busiest. */
export const accountSkewExponent = 1.7;
export const responsibleShare = 0.3;
export const activitySpanDays = 180;

/** The callers measured: one per scope shape `scope()` compiles to. */
export const benchCallers = [
  { key: "owner", label: "Owner", memberIndex: 0, visibility: "all" },
  { key: "agent", label: "Agent (connected account 5)", memberIndex: accountConnector(5), visibility: "own" },
  { key: "agent_no_account", label: "Agent (no account)", memberIndex: 33, visibility: "own" },
  { key: "collaborator", label: "Collaborator", memberIndex: 43, visibility: "assigned" },
] as const;

export type BenchCaller = (typeof benchCallers)[number];
export type BenchCallerKey = BenchCaller["key"];

/** One line describing the workspace, for the report. */
export function layoutSummary(): string {
  const counts = roleRanges.map((range) => `${range.last - range.first + 1} ${range.roleId}`).join(", ");
  return `${memberCount} members (${counts}); ${accountCount} Cloud API accounts (14 connected by agents, 6 by teammates), chats per account skewed (busiest ≈17 %, quietest ≈3 %); ${responsibleShare * 100} % of chats have a responsible (uniform over the 49 non-owners); last_message_at over ${activitySpanDays} days, skewed to recent; 1–19 messages per chat (mean 10); one contact per chat.`;
}

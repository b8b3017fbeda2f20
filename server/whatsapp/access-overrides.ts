import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Executor } from "../db/client";
import { accountAccessOverrides } from "../db/schema";
import type { AccountAccess, AccountOverride } from "../permissions";

/** One stored override that names the member or their role, with its account's label parts. */
type OverrideRow = { accountId: string; access: AccountAccess; subject: "member" | "role"; displayName: string; phoneNumber: string };

/**
 * A correlated subquery answering, as one JSON array, the overrides for a member and for their role:
 * resolvePrincipal selects it beside the member, so an actor stays one indexed query (the subject
 * index). Columns are written qualified, since drizzle leaves select-list columns unqualified.
 */
export function overridesFor(workspaceId: SQL | string, memberId: SQL | string, roleId: SQL | string): SQL<OverrideRow[] | string | null> {
  return sql<
    OverrideRow[] | string | null
  >`(select coalesce(json_agg(json_build_object('accountId', o.account_id, 'access', o.access, 'subject', o.subject_type, 'displayName', a.display_name, 'phoneNumber', a.phone_number)), '[]'::json) from account_access_overrides o join whatsapp_accounts a on a.workspace_id = o.workspace_id and a.id = o.account_id where o.workspace_id = ${workspaceId} and ((o.subject_type = 'member' and o.subject_id = ${memberId}) or (o.subject_type = 'role' and o.subject_id = ${roleId})))`;
}

/** The members table's columns, qualified, for overridesFor inside resolvePrincipal's select. */
export const memberColumnsForOverrides = {
  workspaceId: sql`"members"."workspace_id"`,
  memberId: sql`"members"."id"`,
  roleId: sql`"members"."role_id"`,
};

/** How sentences name an account: its display name and number, or the number alone. */
export function accountLabel(account: { displayName: string; phoneNumber: string }): string {
  return account.displayName === account.phoneNumber ? account.phoneNumber : `${account.displayName} (${account.phoneNumber})`;
}

/** The overrides that apply, one per account: a member's own beats their role's. */
export function applicableOverrides(rows: OverrideRow[] | string | null): AccountOverride[] {
  const parsed: OverrideRow[] = typeof rows === "string" ? JSON.parse(rows) : (rows ?? []);
  const byAccount = new Map<string, AccountOverride>();
  for (const row of parsed) {
    const existing = byAccount.get(row.accountId);
    if (existing?.subject === "member") continue;
    byAccount.set(row.accountId, { accountId: row.accountId, access: row.access, subject: row.subject, accountLabel: accountLabel(row) });
  }
  return [...byAccount.values()].sort((left, right) => left.accountId.localeCompare(right.accountId));
}

/** The overrides for a member outside a request (CRM flows that outlive one). */
export async function loadAccountOverrides(db: Executor, workspaceId: string, memberId: string, roleId: string): Promise<AccountOverride[]> {
  const [row] = await db.select({ overrides: overridesFor(workspaceId, memberId, roleId) }).from(sql`(select 1) as one`);
  return applicableOverrides(row?.overrides ?? null);
}

/**
 * Deletes a member's or a role's per-number overrides, in the caller's transaction: they end with the
 * membership or the role (subject ids are not foreign keys, since a subject is a member or a role).
 */
export async function deleteOverridesOf(db: Executor, workspaceId: string, subjectType: "member" | "role", subjectId: string): Promise<void> {
  await db
    .delete(accountAccessOverrides)
    .where(
      and(
        eq(accountAccessOverrides.workspaceId, workspaceId),
        eq(accountAccessOverrides.subjectType, subjectType),
        eq(accountAccessOverrides.subjectId, subjectId),
      ),
    );
}

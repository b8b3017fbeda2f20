import { and, eq, ne, type SQL } from "drizzle-orm";
import type { Database, Executor } from "../db/client";
import { authTokens, members, roles, users, workspaces } from "../db/schema";
import { publish } from "../events/bus";
import { newId, newSecret, sha256 } from "../ids";
import { type Actor, builtinRoles, isBuiltinRoleId } from "../permissions";
import { rolePermissions } from "../roles/lookup";
import { applicableOverrides, memberColumnsForOverrides, overridesFor } from "../whatsapp/access-overrides";

export type TokenKind = "session" | "personal" | "workspace_key" | "panel" | "login_session";
export const sessionLifetimeMs = 30 * 24 * 60 * 60 * 1000;
/** A Pipedrive panel session: short, since the panel re-exchanges a fresh Pipedrive JWT anyway (PIPEDRIVE_PANEL_SESSION_SECONDS). */
export const panelTokenLifetimeMs = 60 * 60 * 1000;
const lifetimeMs: Partial<Record<TokenKind, number>> = { session: sessionLifetimeMs, panel: panelTokenLifetimeMs, login_session: sessionLifetimeMs };

/** The authenticated caller: who they are now, read fresh on every request. */
export type Principal = Actor & {
  name: string;
  email: string;
  tokenId: string;
  tokenKind: TokenKind;
  tokenExpiresAt: Date | null;
  /** The browser login session a console tab's token belongs to (null for API tokens, panel tokens and older sessions). */
  loginSessionId: string | null;
  /** The workspace row as the token lookup joined it (GET /me answers from it: no second round trip). */
  workspace: { id: string; name: string; joinCode: string; defaultCountry: string | null; agentsSeeNumbers: boolean; ownershipLock: boolean };
};

/**
 * Bearer tokens read `sbt.<workspaceId>.<secret>`: the workspace part keeps the lookup on one
 * workspace's index (and shard); only the secret's SHA-256 hash is stored.
 */
export async function issueToken(
  executor: Executor,
  input: { workspaceId: string; memberId: string; kind: TokenKind; name?: string; lifetimeMs?: number; loginSessionId?: string },
): Promise<{ id: string; token: string; expiresAt: Date | null }> {
  const id = newId("tok");
  const secret = newSecret();
  const lifetime = input.lifetimeMs ?? lifetimeMs[input.kind];
  const expiresAt = lifetime === undefined ? null : new Date(Date.now() + lifetime);
  await executor.insert(authTokens).values({
    workspaceId: input.workspaceId,
    id,
    memberId: input.memberId,
    kind: input.kind,
    name: input.name ?? null,
    tokenHash: sha256(secret),
    loginSessionId: input.loginSessionId ?? null,
    expiresAt,
  });
  return { id, token: `${credentialPrefix(input.kind)}.${input.workspaceId}.${secret}`, expiresAt };
}

/** Bearer tokens read `sbt.…`; a login session's cookie reads `sbl.…`, so neither passes for the other. */
type CredentialPrefix = "sbt" | "sbl";
const credentialPrefix = (kind: TokenKind): CredentialPrefix => (kind === "login_session" ? "sbl" : "sbt");

export function parseToken(token: string, expectedPrefix: CredentialPrefix = "sbt"): { workspaceId: string; secretHash: string } | null {
  const [prefix, workspaceId, secret, ...rest] = token.split(".");
  if (prefix !== expectedPrefix || !workspaceId || !secret || rest.length > 0) return null;
  return { workspaceId, secretHash: sha256(secret) };
}

/**
 * The token lookup, one indexed query per request. It stays an unnamed statement: DATABASE_URL may
 * be pgbouncer in transaction mode, which cannot carry a named prepared statement from one
 * transaction to the next (test/server/db/pooler-safe-statements.test.ts); RESULTS.md's
 * "Authorization overhead" measured what naming it would save on a direct connection.
 */
const principalLookup = (db: Database, workspaceId: string, secretHash: string) =>
  db
    .select({
      tokenId: authTokens.id,
      tokenKind: authTokens.kind,
      expiresAt: authTokens.expiresAt,
      loginSessionId: authTokens.loginSessionId,
      memberId: members.id,
      roleId: members.roleId,
      status: members.status,
      customRoleName: roles.name,
      customPermissions: roles.permissions,
      agentsSeeNumbers: workspaces.agentsSeeNumbers,
      accountOverrides: overridesFor(memberColumnsForOverrides.workspaceId, memberColumnsForOverrides.memberId, memberColumnsForOverrides.roleId),
      ownershipLock: workspaces.ownershipLock,
      workspaceName: workspaces.name,
      joinCode: workspaces.joinCode,
      defaultCountry: workspaces.defaultCountry,
      name: users.name,
      email: users.email,
    })
    .from(authTokens)
    .innerJoin(members, and(eq(members.workspaceId, authTokens.workspaceId), eq(members.id, authTokens.memberId)))
    .innerJoin(users, eq(users.id, members.userId))
    .innerJoin(workspaces, eq(workspaces.id, members.workspaceId))
    .leftJoin(roles, and(eq(roles.workspaceId, members.workspaceId), eq(roles.id, members.roleId)))
    // A login session's secret is the browser's HttpOnly cookie: it only ever buys a tab token at
    // POST /sessions/cookie-exchange, never authenticates a request itself.
    .where(and(eq(authTokens.workspaceId, workspaceId), eq(authTokens.tokenHash, secretHash), ne(authTokens.kind, "login_session")));

/** Resolves a bearer token to the member behind it, with their current role, in one indexed query. */
export async function resolvePrincipal(db: Database, token: string): Promise<Principal | null> {
  const parsed = parseToken(token);
  if (!parsed) return null;
  const [row] = await principalLookup(db, parsed.workspaceId, parsed.secretHash);
  // A removed member's tokens are revoked with the removal; this keeps any straggler out as well.
  if (!row || row.status === "removed" || (row.expiresAt && row.expiresAt.getTime() <= Date.now())) return null;
  const role = {
    name: isBuiltinRoleId(row.roleId) ? builtinRoles[row.roleId].name : (row.customRoleName ?? "Unknown role"),
    permissions: rolePermissions(row.roleId, row.customPermissions, { agentsSeeNumbers: row.agentsSeeNumbers }),
  };
  return {
    workspaceId: parsed.workspaceId,
    memberId: row.memberId,
    roleId: row.roleId,
    roleName: role.name,
    status: row.status,
    permissions: role.permissions,
    accountOverrides: applicableOverrides(row.accountOverrides),
    ownershipLock: row.ownershipLock,
    name: row.name,
    email: row.email,
    tokenId: row.tokenId,
    tokenKind: row.tokenKind,
    tokenExpiresAt: row.expiresAt,
    loginSessionId: row.loginSessionId,
    workspace: {
      id: parsed.workspaceId,
      name: row.workspaceName,
      joinCode: row.joinCode,
      defaultCountry: row.defaultCountry,
      agentsSeeNumbers: row.agentsSeeNumbers,
      ownershipLock: row.ownershipLock,
    },
  };
}

/**
 * Revokes the workspace's tokens matching every one of `conditions` (at least one) in the caller's
 * transaction, and publishes `tokens.revoked` in it, so on commit every process ends the live
 * streams opened with them. Answers the revoked ids.
 */
export async function revokeTokens(executor: Executor, workspaceId: string, ...conditions: [SQL, ...SQL[]]): Promise<string[]> {
  const revoked = await executor
    .delete(authTokens)
    .where(and(eq(authTokens.workspaceId, workspaceId), ...conditions))
    .returning({ id: authTokens.id });
  const tokenIds = revoked.map((row) => row.id);
  if (tokenIds.length > 0) await publish(executor, { type: "tokens.revoked", workspaceId, tokenIds });
  return tokenIds;
}

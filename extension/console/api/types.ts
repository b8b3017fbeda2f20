// The shapes the console reads from the API. Only *types* come from server/, never runtime values.
import type { FieldError, ProblemCode } from "../../../server/http/problem";
import type { RoleDefinition } from "../../../server/permissions/builtin-roles";
import type { Permission, PermissionMap } from "../../../server/permissions/catalogue";
import type { roleAbilities } from "../../../server/permissions/engine";
import type { memberAbilities } from "../../../server/permissions/invariants";
import type { plans } from "../../../server/workspace/routes";

export type { Permission, PermissionMap };

export const memberStatuses = ["active", "suspended"] as const;
export type MemberStatus = (typeof memberStatuses)[number];

/** A member as the API presents it (PATCH /members, sessions); GET /members adds abilities. */
export type Member = { id: string; name: string; email?: string; roleId: string; status: MemberStatus };
/** What the caller may do to this member, decided by the server; GET /members hides emails without team.manage. */
export type MemberAbilities = ReturnType<typeof memberAbilities>;
export type ListedMember = Member & { abilities: MemberAbilities };
/**
 * `defaultCountry`: ISO 3166 alpha-2 that numbers typed without a country code are read in (null: none);
 * `agentsSeeNumbers`: whether built-in Agents and Collaborators see contacts' full numbers (contacts.view_numbers);
 * `ownershipLock`: whether a chat held by someone else needs chats.take_over.
 */
export type Workspace = {
  id: string;
  name: string;
  joinCode?: string;
  defaultCountry?: string | null;
  agentsSeeNumbers?: boolean;
  ownershipLock?: boolean;
};
export type Me = {
  member: Member & { email: string };
  role: { id: string; name: string };
  workspace: Workspace;
  permissions: PermissionMap;
};

/** A role of GET /roles, with what the caller may do to it (decided by the server). */
export type Role = RoleDefinition & { abilities: ReturnType<typeof roleAbilities> };
export type Page<Item> = { data: Item[]; nextCursor: string | null };

export type Session = { token: string; member: Member };
export type CreatedInvitation = {
  id: string;
  email: string;
  roleId: string;
  acceptToken: string;
  expiresAt: string;
  /** queued: the server e-mails the link; not_configured: it sends no e-mail, so the link is to be sent by hand. */
  mail: "queued" | "not_configured";
};
export type PendingInvitation = { id: string; email: string; roleId: string; expiresAt: string; invitedBy: string };
export type JoinRequest = { id: string; name: string; email: string; createdAt: string };
export type AuditEntry = {
  id: string;
  at: string;
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  ip: string | null;
  userAgent?: string | null;
  details: unknown;
};
export type ApiTokenSummary = { id: string; name: string | null; createdAt: string };
export type CreatedApiToken = { id: string; name: string; token: string };

export type SubscriptionPlan = (typeof plans)[number];
export type Subscription = { plan: SubscriptionPlan; paymentProvider: string | null };

/** An application/problem+json body (RFC 9457). */
export type ProblemBody = {
  type?: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode | "network_error";
  permission?: Permission;
  errors?: FieldError[];
};

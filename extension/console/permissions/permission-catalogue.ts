import type { Permission, PermissionMap, permissionCatalogue as serverPermissionCatalogue } from "../../../server/permissions/catalogue";
import type { plans } from "../../../server/workspace/routes";

type ServerCatalogue = typeof serverPermissionCatalogue;

/** What the console needs of one catalogue entry: its kind and, for scoped ones, the exact levels. */
type EntryShape<Name extends Permission> = ServerCatalogue[Name] extends { kind: "scoped"; levels: infer Levels }
  ? { kind: "scoped"; levels: Levels; meaning: string }
  : { kind: ServerCatalogue[Name]["kind"]; meaning: string };

/**
 * The console's copy of the server's permission catalogue (server/permissions/catalogue.ts), which
 * the UI may not import at runtime. `satisfies` ties it to the server's types: a permission added,
 * removed or renamed there, a kind changed, or a level added, removed or reordered fails typecheck.
 */
export const permissionCatalogue = {
  "chats.view": { kind: "scoped", levels: ["all", "own", "assigned", "none"], meaning: "Which chats the member sees" },
  "chats.reply": { kind: "scoped", levels: ["all", "own", "assigned", "none"], meaning: "In which visible chats the member may send" },
  "chats.start": { kind: "scoped", levels: ["all", "own", "none"], meaning: "From which accounts the member may start a new chat" },
  "chats.assign": { kind: "scoped", levels: ["all", "own", "none"], meaning: "On which chats the member may set the responsible" },
  "campaigns.send": { kind: "scoped", levels: ["all", "own", "none"], meaning: "From which accounts the member may run mass sending" },
  "campaigns.reports": { kind: "scoped", levels: ["all", "own", "none"], meaning: "Whose campaign reports the member may see and download" },
  "templates.use": { kind: "scoped", levels: ["all", "own", "none"], meaning: "Whose templates the member may use" },
  "chats.take_over": {
    kind: "scoped",
    levels: ["all", "own", "none"],
    meaning: "With the ownership lock on: in which chats held by someone else the member may take, release or reply",
  },
  "messages.delete": { kind: "scoped", levels: ["all", "own", "none"], meaning: "In which visible chats the member may delete messages" },
  "contacts.view_numbers": { kind: "flag", meaning: "See contacts' full phone numbers (without it: +49 ••• ••• 12 and the name)" },
  "whatsapp.connect": { kind: "flag", meaning: "Connect a WhatsApp account of their own" },
  "team.manage": { kind: "flag", meaning: "Invite, accept join requests, change roles, suspend, activate" },
  "roles.manage": { kind: "flag", meaning: "Create, edit, delete custom roles" },
  "integrations.workspace": { kind: "flag", meaning: "Workspace-level CRM connections, webhooks, API key" },
  "integrations.individual": { kind: "flag", meaning: "The member's own Pipedrive / HubSpot connection" },
  "data.export": { kind: "flag", meaning: "Export chats and contacts" },
  "audit.view": { kind: "flag", meaning: "Read and export the activity log" },
  "billing.manage": { kind: "owner", meaning: "Subscription and billing settings (Owner only)" },
  "workspace.delete": { kind: "owner", meaning: "Delete the workspace (Owner only)" },
  "workspace.transfer": { kind: "owner", meaning: "Hand ownership to an active Admin (Owner only)" },
} as const satisfies { [Name in Permission]: EntryShape<Name> };

export const permissionNames = Object.keys(permissionCatalogue) as Permission[];

/** Permissions a custom role may hold: every one but the Owner's own three. */
export const grantablePermissionNames = permissionNames.filter((name) => permissionCatalogue[name].kind !== "owner");

export type ScopedPermission = {
  [Name in Permission]: (typeof permissionCatalogue)[Name]["kind"] extends "scoped" ? Name : never;
}[Permission];

export function isScopedPermission(name: Permission): name is ScopedPermission {
  return permissionCatalogue[name].kind === "scoped";
}

/** The levels a scoped permission may take, most access first. */
export function levelsOf(name: ScopedPermission): readonly PermissionMap[ScopedPermission][] {
  return permissionCatalogue[name].levels;
}

/** A role's permissions with nothing granted: the starting point of a new custom role. */
export function emptyPermissions(): PermissionMap {
  return Object.fromEntries(permissionNames.map((name) => [name, isScopedPermission(name) ? "none" : false])) as PermissionMap;
}

type SameSet<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** The subscription plans (server/workspace/routes.ts `plans`); the check below fails on drift. */
export const subscriptionPlans = ["free", "pro", "business"] as const;
const plansMatchServer: SameSet<(typeof subscriptionPlans)[number], (typeof plans)[number]> = true;
void plansMatchServer;

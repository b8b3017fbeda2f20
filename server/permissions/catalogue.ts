import { z } from "zod";

// The permission catalogue of the public API, as data. Everything else derives from it.

export const scopedLevels = ["all", "own", "assigned", "none"] as const;
export const ownershipLevels = ["all", "own", "none"] as const;
export type ScopedLevel = (typeof scopedLevels)[number];
export type OwnershipLevel = (typeof ownershipLevels)[number];

/** Levels ordered from most to least access; a level grants everything below it. */
const levelRank: Record<ScopedLevel, number> = { all: 3, own: 2, assigned: 1, none: 0 };

export const permissionCatalogue = {
  "chats.view": { kind: "scoped", levels: scopedLevels, meaning: "which chats the member sees" },
  "chats.reply": { kind: "scoped", levels: scopedLevels, meaning: "in which visible chats the member may send" },
  "chats.start": { kind: "scoped", levels: ownershipLevels, meaning: "from which accounts the member may start a new chat" },
  "chats.assign": { kind: "scoped", levels: ownershipLevels, meaning: "on which chats the member may set the responsible" },
  "campaigns.send": { kind: "scoped", levels: ownershipLevels, meaning: "from which accounts the member may run mass sending" },
  "campaigns.reports": { kind: "scoped", levels: ownershipLevels, meaning: "whose campaign reports the member may see and download" },
  "templates.use": { kind: "scoped", levels: ownershipLevels, meaning: "whose templates the member may use" },
  "chats.take_over": {
    kind: "scoped",
    levels: ownershipLevels,
    meaning: "with the workspace's ownership lock on: in which chats held by someone else the member may take, release or reply",
  },
  "messages.delete": { kind: "scoped", levels: ownershipLevels, meaning: "in which visible chats the member may delete messages" },
  "contacts.view_numbers": { kind: "flag", meaning: "see contacts' full phone numbers (without it: +49 ••• ••• 12 and the name)" },
  "whatsapp.connect": { kind: "flag", meaning: "connect a WhatsApp account of their own" },
  "team.manage": { kind: "flag", meaning: "invite, accept join requests, change roles, suspend, activate" },
  "roles.manage": { kind: "flag", meaning: "create, edit, delete custom roles" },
  "integrations.workspace": { kind: "flag", meaning: "workspace-level CRM connections, webhooks, API key" },
  "integrations.individual": { kind: "flag", meaning: "the member's own Pipedrive / HubSpot connection" },
  "data.export": { kind: "flag", meaning: "export chats and contacts" },
  "audit.view": { kind: "flag", meaning: "read and export the activity log" },
  "billing.manage": { kind: "owner", meaning: "subscription and billing settings" },
  "workspace.delete": { kind: "owner", meaning: "delete the workspace" },
  "workspace.transfer": { kind: "owner", meaning: "hand ownership to an active admin" },
} as const;

export type Permission = keyof typeof permissionCatalogue;
export const permissionNames = Object.keys(permissionCatalogue) as Permission[];

type Catalogue = typeof permissionCatalogue;
export type ScopedPermission = {
  [P in Permission]: Catalogue[P]["kind"] extends "scoped" ? P : never;
}[Permission];
export type BooleanPermission = Exclude<Permission, ScopedPermission>;
export type OwnerOnlyPermission = {
  [P in Permission]: Catalogue[P]["kind"] extends "owner" ? P : never;
}[Permission];

export const ownerOnlyPermissions = permissionNames.filter((name) => permissionCatalogue[name].kind === "owner") as OwnerOnlyPermission[];

/** A complete permission map: every permission with its value. */
export type PermissionMap = {
  [P in Permission]: P extends ScopedPermission ? (Catalogue[P] extends { levels: readonly (infer L)[] } ? L : never) : boolean;
};

export function isScoped(permission: Permission): permission is ScopedPermission {
  return permissionCatalogue[permission].kind === "scoped";
}

/** True when `value` grants at least as much as `than`. */
export function grantsAtLeast(value: ScopedLevel | boolean, than: ScopedLevel | boolean): boolean {
  if (typeof value === "boolean" || typeof than === "boolean") return Boolean(value) || !than;
  return levelRank[value] >= levelRank[than];
}

/** Whether a permission value grants anything at all. */
export function grantsAnything(value: ScopedLevel | boolean): boolean {
  return typeof value === "boolean" ? value : value !== "none";
}

/** The schema custom roles are validated with: partial maps, missing entries mean none/false. */
export const CustomPermissionsSchema = z
  .object(
    Object.fromEntries(
      permissionNames.map((name) => {
        const entry = permissionCatalogue[name];
        const schema = entry.kind === "scoped" ? z.enum(entry.levels) : z.boolean();
        return [name, schema.optional()];
      }),
    ) as unknown as { [P in Permission]: z.ZodOptional<z.ZodType<PermissionMap[P]>> },
  )
  .strict()
  .superRefine((permissions, context) => {
    for (const name of ownerOnlyPermissions) {
      if (permissions[name]) {
        context.addIssue({
          code: "custom",
          path: [name],
          message: `${name} belongs to the Owner alone and cannot be granted to another role`,
        });
      }
    }
  });

/** Fills a partial permission map: a missing permission means none / false. */
export function completePermissions(partial: Partial<PermissionMap>): PermissionMap {
  const complete: Record<string, ScopedLevel | boolean> = {};
  for (const name of permissionNames) {
    complete[name] = partial[name] ?? (isScoped(name) ? "none" : false);
  }
  return complete as PermissionMap;
}

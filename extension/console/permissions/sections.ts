import type { PermissionMap } from "../api/types";

export const consoleSectionIds = ["inbox", "numbers", "templates", "campaigns", "team", "roles", "integrations", "activity", "settings"] as const;
export type ConsoleSectionId = (typeof consoleSectionIds)[number];

type SectionDefinition = { id: ConsoleSectionId; label: string; visibleWith(permissions: PermissionMap): boolean };

/**
 * The console's sections and when each shows, decided from GET /me's permission map only.
 * Team and Roles are readable by every member (their management controls need team.manage /
 * roles.manage); Settings always holds the member's own API tokens. The Inbox comes first (it is
 * where a member who sees chats lands).
 */
export const consoleSections: readonly SectionDefinition[] = [
  { id: "inbox", label: "Inbox", visibleWith: (permissions) => permissions["chats.view"] !== "none" },
  // The numbers a member may see (the server scopes the list); connecting needs whatsapp.connect.
  { id: "numbers", label: "WhatsApp numbers", visibleWith: (permissions) => permissions["whatsapp.connect"] || permissions["chats.view"] !== "none" },
  // The templates the member may use (templates.use, scoped by the server) and their sync.
  { id: "templates", label: "Templates", visibleWith: (permissions) => permissions["templates.use"] !== "none" },
  // The campaigns the member may see (campaigns.reports, scoped by the server) and the builder (campaigns.send).
  {
    id: "campaigns",
    label: "Campaigns",
    visibleWith: (permissions) => permissions["campaigns.reports"] !== "none" || permissions["campaigns.send"] !== "none",
  },
  { id: "team", label: "Team", visibleWith: () => true },
  { id: "roles", label: "Roles", visibleWith: () => true },
  // Every member sees their own CRM links there; workspace connections need integrations.workspace.
  { id: "integrations", label: "Integrations", visibleWith: () => true },
  { id: "activity", label: "Activity log", visibleWith: (permissions) => permissions["audit.view"] },
  { id: "settings", label: "Settings", visibleWith: () => true },
];

export function visibleSections(permissions: PermissionMap): SectionDefinition[] {
  return consoleSections.filter((section) => section.visibleWith(permissions));
}

// What Pipedrive puts in a custom UI iframe's URL (pipedrive.md §2.2). userId/companyId are shown
// for orientation only: who the caller is comes from the signed `token`, verified by the server.

export const panelResources = ["deal", "person"] as const;
export type PanelResource = (typeof panelResources)[number];
export type Theme = "light" | "dark";

export type IframeParams = {
  /** The runtime id the SDK must use; missing outside Pipedrive. */
  id: string | null;
  token: string | null;
  userId: string | null;
  companyId: string | null;
  resource: PanelResource | null;
  /** The entity the panel is on (the first of `selectedIds`). */
  selectedId: number | null;
  theme: Theme;
  /** A custom modal's `data` (stringified JSON from OPEN_MODAL). */
  data: Record<string, string>;
  /** `resource` and `selectedIds` as the URL has them: the session is bound to this record. */
  openedOn: { resource?: string; selectedIds?: string };
};

export function readIframeParams(search: string = window.location.search): IframeParams {
  const query = new URLSearchParams(search);
  const resource = query.get("resource");
  const firstSelected = Number((query.get("selectedIds") ?? "").split(",")[0]);
  return {
    id: query.get("id"),
    token: query.get("token"),
    userId: query.get("userId"),
    companyId: query.get("companyId"),
    resource: panelResources.includes(resource as PanelResource) ? (resource as PanelResource) : null,
    selectedId: Number.isSafeInteger(firstSelected) && firstSelected > 0 ? firstSelected : null,
    theme: query.get("theme") === "dark" ? "dark" : "light",
    data: parseModalData(query.get("data")),
    openedOn: { resource: query.get("resource") ?? undefined, selectedIds: query.get("selectedIds") ?? undefined },
  };
}

function parseModalData(raw: string | null): Record<string, string> {
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!parsed || typeof parsed !== "object") return {};
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
  } catch {
    return {};
  }
}

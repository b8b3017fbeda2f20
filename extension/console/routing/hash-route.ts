import { useSyncExternalStore } from "react";
import { type ConsoleSectionId, consoleSectionIds } from "../permissions/sections";

/** The console's pages, addressed by the URL hash (`#/team`, `#/accept/<token>`, …). */
export type Route =
  | { page: "login" }
  | { page: "signup" }
  | { page: "join"; joinCode: string }
  | { page: "accept"; acceptToken: string }
  | { page: "forgot-password" }
  | { page: "reset-password"; resetToken: string }
  /** Development only: the mail the server's mail catcher took. */
  | { page: "dev-mail" }
  | { page: "section"; section: ConsoleSectionId }
  | { page: "home" };

export function parseHash(hash: string): Route {
  // A query after the path (`#/integrations?pipedrive=connected`) is the page's to read.
  const [path = ""] = hash.replace(/^#\/?/, "").split("?");
  const [first = "", ...rest] = path.split("/");
  const argument = decodeURIComponent(rest.join("/"));
  if (first === "login") return { page: "login" };
  if (first === "signup") return { page: "signup" };
  if (first === "join") return { page: "join", joinCode: argument };
  if (first === "accept" && argument) return { page: "accept", acceptToken: argument };
  if (first === "forgot-password") return { page: "forgot-password" };
  if (first === "reset-password" && argument) return { page: "reset-password", resetToken: argument };
  if (first === "dev" && argument === "mail") return { page: "dev-mail" };
  const section = consoleSectionIds.find((id) => id === first);
  return section ? { page: "section", section } : { page: "home" };
}

function subscribe(onChange: () => void) {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseHash(hash);
}

/** The query after the hash's path (`#/integrations?pipedrive=connected` → `pipedrive=connected`). */
export function useHashQuery(): string {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return hash.split("?")[1] ?? "";
}

/** Goes to a page: `navigate("/team")`. */
export function navigate(path: `/${string}`): void {
  window.location.hash = path;
}

export function hrefFor(path: `/${string}`): string {
  return `#${path}`;
}

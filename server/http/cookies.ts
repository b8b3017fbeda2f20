import type { Request } from "express";

// The few first-party cookies Switchboard sets (requests authenticate with bearer tokens; the login
// session's cookie only buys a new tab its token at POST /sessions/cookie-exchange).

/** One cookie's value from the request, or undefined. */
export function readCookie(request: Request, name: string): string | undefined {
  for (const pair of (request.get("cookie") ?? "").split(";")) {
    const separator = pair.indexOf("=");
    if (separator > 0 && pair.slice(0, separator).trim() === name) return decodeURIComponent(pair.slice(separator + 1).trim());
  }
  return undefined;
}

/**
 * A Set-Cookie value: always HttpOnly; SameSite=Lax by default (sent on top-level navigations from
 * other sites, such as an OAuth redirect, never on their subrequests), Strict for a cookie no other
 * site's page may ever make the browser send; Secure when the server is on https.
 */
export function cookieHeader(
  name: string,
  value: string,
  options: { path: string; maxAgeSeconds: number; secure: boolean; sameSite?: "Lax" | "Strict" },
): string {
  const attributes = [
    `${name}=${encodeURIComponent(value)}`,
    `Path=${options.path}`,
    `Max-Age=${options.maxAgeSeconds}`,
    "HttpOnly",
    `SameSite=${options.sameSite ?? "Lax"}`,
  ];
  if (options.secure) attributes.push("Secure");
  return attributes.join("; ");
}

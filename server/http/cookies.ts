import type { Request } from "express";

// The few first-party cookies Switchboard sets (sessions are bearer tokens, not cookies).

/** One cookie's value from the request, or undefined. */
export function readCookie(request: Request, name: string): string | undefined {
  for (const pair of (request.get("cookie") ?? "").split(";")) {
    const separator = pair.indexOf("=");
    if (separator > 0 && pair.slice(0, separator).trim() === name) return decodeURIComponent(pair.slice(separator + 1).trim());
  }
  return undefined;
}

/**
 * A Set-Cookie value: always HttpOnly and SameSite=Lax (sent on top-level navigations from other
 * sites, such as an OAuth redirect, never on their subrequests); Secure when the server is on https.
 */
export function cookieHeader(name: string, value: string, options: { path: string; maxAgeSeconds: number; secure: boolean }): string {
  const attributes = [`${name}=${encodeURIComponent(value)}`, `Path=${options.path}`, `Max-Age=${options.maxAgeSeconds}`, "HttpOnly", "SameSite=Lax"];
  if (options.secure) attributes.push("Secure");
  return attributes.join("; ");
}

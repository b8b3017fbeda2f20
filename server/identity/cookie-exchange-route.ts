import type { Request } from "express";
import { z } from "zod";
import type { Config } from "../config";
import { readCookie } from "../http/cookies";
import { HttpProblem, unauthenticated } from "../http/problem";
import { publicAccess, route } from "../http/route";
import { findMember } from "../team/membership";
import { presentMember } from "../team/presenters";
import { exchangeLoginCookie, loginCookieHeader, loginCookieName } from "./login-sessions";

/**
 * Only the console's own pages may spend the cookie: the request must be JSON (a cross-site HTML
 * form cannot send that content type, and a cross-site script cannot without a CORS preflight this
 * server never grants) and, when the browser says where it comes from, from this server's origin.
 * SameSite=Strict already keeps the cookie off requests other sites start; this holds even for a
 * sibling subdomain, which counts as the same site.
 */
function assertConsoleRequest(request: Request, config: Pick<Config, "publicUrl">) {
  const mediaType = (request.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/json") {
    throw new HttpProblem(415, "unsupported_media_type", "Unsupported media type", "Send the request as application/json.");
  }
  const origin = request.get("origin");
  const ownOrigins = [new URL(config.publicUrl).origin, `${request.protocol}://${request.get("host")}`];
  const fetchSite = request.get("sec-fetch-site");
  if ((origin !== undefined && !ownOrigins.includes(origin)) || (fetchSite !== undefined && fetchSite !== "same-origin")) {
    throw new HttpProblem(403, "cross_site_request", "Cross-site request", "Only Switchboard's own pages may open a session from this browser's login.");
  }
}

export const cookieExchangeRoutes = [
  route({
    method: "post",
    path: "/sessions/cookie-exchange",
    summary: "A new console tab's token, from this browser's login-session cookie (HttpOnly, set at login)",
    tag: "Identity",
    access: publicAccess("the browser's HttpOnly login-session cookie is the credential; a bearer token is ignored"),
    body: z.object({}).strict(),
    auditExempt: "a tab joins the login session whose session.create is in the log; it changes nothing else",
    responses: {
      201: "{token, member}: a bearer token for this tab, in the cookie's workspace, ended with its login session",
      401: "No valid login-session cookie (an invalid one is deleted): log in",
      403: "Not from Switchboard's own origin (cross_site_request)",
      415: "Not an application/json request",
      429: "Too many refused cookies from this address",
    },
    async handler({ db, services, meta, request, response }) {
      assertConsoleRequest(request, services.config);
      const cookie = readCookie(request, loginCookieName);
      if (!cookie) throw unauthenticated("This browser has no login session; log in.");
      const attempt = await services.loginLimiter.cookieAttempt(meta.ip);
      const exchanged = await exchangeLoginCookie(db, cookie);
      if (!exchanged) {
        // Whatever the cookie proved is over (logged out, revoked, removed, suspended): forget it.
        response.append("set-cookie", loginCookieHeader(services.config, null));
        throw unauthenticated("This browser's login session has ended; log in.");
      }
      await attempt.succeeded();
      const member = await findMember(db, exchanged.workspaceId, exchanged.memberId);
      return { status: 201, headers: { "cache-control": "no-store" }, body: { token: exchanged.token, member: member && presentMember(member) } };
    },
  }),
];

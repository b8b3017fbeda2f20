import { z } from "zod";
import { loadActor } from "../crm/actor";
import { connectLink, integrationsPage, oauthBrowserCookie, redirectTo } from "../crm/connect-flow";
import { databaseNonceStore } from "../crm/nonce-store";
import { createConnectTicket, createOAuthState, mintBrowserSecret, OAuthStateError, verifyConnectTicket, verifyOAuthState } from "../crm/oauth-state";
import { readCookie } from "../http/cookies";
import { HttpProblem, notFound } from "../http/problem";
import { publicAccess, requires, route } from "../http/route";
import { holds } from "../permissions";
import type { Services } from "../services";
import { hubspotApp, isHubspotConfigured } from "./app";
import { hubspotChatDealRoutes } from "./chat-deal-routes";
import { HubspotInstallRefused, loadHubspotInstallation, openTokens, removeHubspotInstallation, storeHubspotInstallation } from "./installations";
import { hubspotLinkRoutes } from "./link-routes";
import { exchangeHubspotCode, HubspotOAuthError, hubspotAuthorizeUrl, introspectHubspotToken, revokeHubspotToken } from "./oauth";

// Connecting HubSpot: the portal install, by an Owner or Admin (integrations.workspace) who is a
// super admin in HubSpot. Connect answers a link to GET /integrations/hubspot/authorize with a
// signed single-use ticket; that browser gets a secret cookie and goes on to HubSpot's install
// page with a state bound to member, workspace and the cookie's hash; HubSpot sends it back to
// GET /integrations/hubspot/callback, which lands on the console's Integrations page.

const browserCookie = "sb_hubspot_oauth";
const CallbackQuery = z.looseObject({ code: z.string().max(2000).optional(), state: z.string().max(4000).optional(), error: z.string().max(200).optional() });
const AuthorizeQuery = z.looseObject({ ticket: z.string().max(2000).optional() });

const outcomePage = (services: Services, outcome: Record<string, string>) => integrationsPage(services.config.publicUrl, { hubspot: "error", ...outcome });

export const hubspotRoutes = [
  route({
    method: "post",
    path: "/integrations/hubspot/connect",
    summary: "Start connecting the workspace's HubSpot account (its super admin installs the app)",
    tag: "Integrations",
    access: requires("integrations.workspace"),
    responses: {
      200: "{authorizeUrl}: open it once, at the top level (it passes through Switchboard to HubSpot; valid 5 minutes)",
      409: "HubSpot is not configured on this server",
    },
    auditExempt: "Only signs a ticket; the callback writes the activity-log entry when the connection is stored",
    async handler({ actor, services }) {
      const app = hubspotApp(services);
      const ticket = createConnectTicket(services.config.hubspot.stateKey, { memberId: actor.memberId, workspaceId: actor.workspaceId, purpose: "workspace" });
      return { status: 200, body: { authorizeUrl: connectLink(app.redirectUri, ticket) } };
    },
  }),
  route({
    method: "get",
    path: "/integrations/hubspot/authorize",
    summary: "Opens a HubSpot connect link: ties the flow to this browser (a cookie) and goes on to HubSpot's install page",
    tag: "Integrations",
    access: publicAccess("The signed, single-use, five-minute ticket from Connect is the credential"),
    query: AuthorizeQuery,
    responses: { 302: "To HubSpot's install page, setting the browser's cookie; or to the console's Integrations page: ?hubspot=error&reason=…" },
    async handler({ services, query }) {
      if (!isHubspotConfigured(services)) return redirectTo(outcomePage(services, { reason: "not_configured" }));
      const app = hubspotApp(services);
      const key = services.config.hubspot.stateKey;
      let ticket: Awaited<ReturnType<typeof verifyConnectTicket>>;
      try {
        ticket = await verifyConnectTicket(key, query.ticket ?? "", { nonceStore: databaseNonceStore(services.database.db) });
      } catch (error) {
        if (!(error instanceof OAuthStateError)) throw error;
        services.logger.warn({ reason: error.reason }, "HubSpot connect link refused");
        return redirectTo(outcomePage(services, { reason: error.reason }));
      }
      const browserSecret = mintBrowserSecret();
      const state = createOAuthState(key, { memberId: ticket.memberId, workspaceId: ticket.workspaceId, purpose: "workspace", browserSecret });
      return redirectTo(hubspotAuthorizeUrl(app, state), { "set-cookie": oauthBrowserCookie(browserCookie, app.redirectUri, browserSecret) });
    },
  }),
  route({
    method: "get",
    path: "/integrations/hubspot/callback",
    summary: "HubSpot's OAuth redirect after the install page",
    tag: "Integrations",
    access: publicAccess("HubSpot redirects the browser here; the signed, single-use state bound to this browser's cookie is the credential"),
    query: CallbackQuery,
    responses: { 302: "To the console's Integrations page: ?hubspot=connected|error&reason=…" },
    async handler({ services, query, request, audit }) {
      if (!isHubspotConfigured(services)) return redirectTo(outcomePage(services, { reason: "not_configured" }));
      const app = hubspotApp(services);
      // Every answer forgets the browser's secret: a state is tried at most once per browser.
      const finish = (outcome: Record<string, string>) =>
        redirectTo(integrationsPage(services.config.publicUrl, outcome), { "set-cookie": oauthBrowserCookie(browserCookie, app.redirectUri, null) });
      let claims: Awaited<ReturnType<typeof verifyOAuthState>>;
      try {
        claims = await verifyOAuthState(services.config.hubspot.stateKey, query.state ?? "", {
          nonceStore: databaseNonceStore(services.database.db),
          browserSecret: readCookie(request, browserCookie),
          expectedPurpose: "workspace",
        });
      } catch (error) {
        if (!(error instanceof OAuthStateError)) throw error;
        services.logger.warn({ reason: error.reason }, "HubSpot callback refused");
        return finish({ hubspot: "error", reason: error.reason });
      }
      if (query.error || !query.code) return finish({ hubspot: "error", reason: query.error === "access_denied" ? "denied" : "no_code" });
      let tokens: Awaited<ReturnType<typeof exchangeHubspotCode>>;
      try {
        tokens = await exchangeHubspotCode(app, query.code);
      } catch (error) {
        if (!(error instanceof HubspotOAuthError)) throw error;
        services.logger.warn({ reason: error.reason, hubspotStatus: error.hubspotStatus }, "HubSpot code exchange refused");
        return finish({ hubspot: "error", reason: error.reason === "unavailable" ? "hubspot_unavailable" : "code_refused" });
      }
      const { hubDomain } = await introspectHubspotToken(app, tokens.accessToken).catch(() => ({ hubDomain: null }));
      try {
        await services.database.db.transaction(async (tx) => {
          const actor = await loadActor(tx, claims.workspaceId, claims.memberId);
          if (actor?.status !== "active") throw new HubspotInstallRefused("member_inactive");
          if (!holds(actor, "integrations.workspace")) throw new HubspotInstallRefused("permission_denied");
          const { reconnected } = await storeHubspotInstallation(tx, services.config.encryptionKey, {
            workspaceId: claims.workspaceId,
            memberId: claims.memberId,
            tokens,
            hubDomain,
          });
          await audit(
            {
              workspaceId: claims.workspaceId,
              actorId: claims.memberId,
              action: reconnected ? "hubspot.reconnect" : "hubspot.connect",
              targetType: "hubspot_portal",
              targetId: String(tokens.hubId),
              details: { hubDomain, hubspotUserId: tokens.userId, scopes: tokens.scopes },
            },
            tx,
          );
        });
      } catch (error) {
        if (!(error instanceof HubspotInstallRefused)) throw error;
        // Tokens we won't keep are handed back.
        await revokeHubspotToken(app, tokens.refreshToken).catch(() => undefined);
        return finish({ hubspot: "error", reason: error.reason });
      }
      return finish({ hubspot: "connected" });
    },
  }),
  route({
    method: "delete",
    path: "/integrations/hubspot",
    summary: "Disconnect the workspace's HubSpot account: its refresh token is revoked at HubSpot, then forgotten",
    tag: "Integrations",
    access: requires("integrations.workspace"),
    ownTransactions: true,
    responses: { 204: "Disconnected", 404: "No HubSpot account is connected", 502: "HubSpot could not be reached to revoke; nothing changed" },
    async handler({ actor, services, audit }) {
      const db = services.database.db;
      const installation = await loadHubspotInstallation(db, actor.workspaceId);
      if (!installation) throw notFound("HubSpot connection");
      const { refreshToken } = openTokens(services.config.encryptionKey, installation);
      if (refreshToken && isHubspotConfigured(services)) {
        try {
          await revokeHubspotToken(hubspotApp(services), refreshToken);
        } catch (error) {
          if (!(error instanceof HubspotOAuthError)) throw error;
          throw new HttpProblem(
            502,
            "internal",
            "HubSpot failed",
            "HubSpot could not be reached to revoke the connection; nothing changed. Try again shortly.",
          );
        }
      }
      await db.transaction(async (tx) => {
        const removed = await removeHubspotInstallation(tx, actor.workspaceId);
        if (!removed) return;
        await audit(
          { action: "hubspot.disconnect", targetType: "hubspot_portal", targetId: String(removed.hubId), details: { hubDomain: removed.hubDomain } },
          tx,
        );
      });
      return { status: 204 };
    },
  }),
  ...hubspotLinkRoutes,
  ...hubspotChatDealRoutes,
];

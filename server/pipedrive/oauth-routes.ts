import { z } from "zod";
import { loadActor } from "../crm/actor";
import { connectLink, integrationsPage as consoleIntegrationsPage, oauthBrowserCookie, popupLandingPage, redirectTo } from "../crm/connect-flow";
import { databaseNonceStore } from "../crm/nonce-store";
import {
  type ConnectLanding,
  connectLandings,
  createConnectTicket,
  createOAuthState,
  mintBrowserSecret,
  OAuthStateError,
  type OAuthStatePurpose,
  unverifiedLanding,
  verifyConnectTicket,
} from "../crm/oauth-state";
import { readCookie } from "../http/cookies";
import { publicAccess, requires, route } from "../http/route";
import { holds } from "../permissions";
import type { Services } from "../services";
import { isPipedriveConfigured, pipedriveApp } from "./connections";
import { PipedriveError } from "./errors";
import { InstallRefused, recordAppSharing, removeUninstalledUser, storeIndividualConnection, storeWorkspaceConnection } from "./installations";
import { keepMarketplaceInstallation } from "./marketplace-install";
import { buildAuthorizeUrl, completeOAuthCallback, type PipedriveApp } from "./oauth";
import { missingPipedriveScopes } from "./scopes";
import { verifyAppSharingRequest, verifyUninstallRequest } from "./uninstall";

// Connecting Pipedrive: Connect answers a link to GET /integrations/pipedrive/authorize carrying a
// signed, single-use ticket. The browser that opens it gets a secret in an HttpOnly cookie and goes
// on to Pipedrive with a state bound to member, workspace, purpose and that secret's hash; Pipedrive
// sends it back to GET /integrations/pipedrive/callback, which accepts the state only with the same
// browser's cookie, and that redirect lands on the console's Integrations page with the outcome in
// the hash query. The detour exists because Connect is pressed inside Pipedrive's iframe, where a
// cookie would be a third-party one the callback never sees.

const callbackPath = "/integrations/pipedrive/callback";
const purposePermission = { workspace: "integrations.workspace", individual: "integrations.individual" } as const;

const CallbackQuery = z.looseObject({ code: z.string().optional(), state: z.string().optional(), error: z.string().optional() });
const AuthorizeQuery = z.looseObject({ ticket: z.string().max(2000).optional() });
/** `landing: "popup"`: the connection is made in a popup (from the Pipedrive panel) and ends on a page that closes. */
const ConnectBody = z.strictObject({ landing: z.enum(connectLandings).optional() }).optional();

/** Holds the secret of the browser that opened a connect link, sent only to the callback. */
const browserCookie = "sb_pipedrive_oauth";
const browserCookieFor = (app: PipedriveApp, secret: string | null) => oauthBrowserCookie(browserCookie, app.redirectUri, secret);
const integrationsPage = (services: Services, outcome: Record<string, string>) => consoleIntegrationsPage(services.config.publicUrl, outcome);
const landingPage = (services: Services, landing: ConnectLanding, outcome: Record<string, string>) =>
  landing === "popup" ? popupLandingPage(services.config.publicUrl, outcome) : integrationsPage(services, outcome);
/** The scopes a consent granted short of what the app needs, for the landing page (`missing=…`). */
const missingOutcome = (scope: string): Record<string, string> => {
  const missing = missingPipedriveScopes(scope);
  return missing.length > 0 ? { missing: missing.join(",") } : {};
};
const redirect = redirectTo;

function connectRoute(path: string, purpose: OAuthStatePurpose) {
  return route({
    method: "post",
    path,
    summary: purpose === "workspace" ? "Start connecting the workspace's Pipedrive company" : "Start connecting your own Pipedrive user",
    tag: "Integrations",
    access: requires(purposePermission[purpose]),
    body: ConnectBody,
    responses: {
      200: "{authorizeUrl}: open it once, at the top level (a tab, or a popup with landing: popup), in the browser that is to finish the connection (it passes through Switchboard to Pipedrive; valid 5 minutes)",
      409: "Pipedrive is not configured on this server",
    },
    auditExempt: "Only signs a ticket; the callback writes the activity-log entry when a connection is stored",
    async handler({ actor, services, body }) {
      const app = pipedriveApp(services);
      const ticket = createConnectTicket(services.config.pipedrive.stateKey, {
        memberId: actor.memberId,
        workspaceId: actor.workspaceId,
        purpose,
        ...(body?.landing ? { landing: body.landing } : {}),
      });
      return { status: 200, body: { authorizeUrl: connectLink(app.redirectUri, ticket) } };
    },
  });
}

export const pipedriveOAuthRoutes = [
  connectRoute("/integrations/pipedrive/connect", "workspace"),
  connectRoute("/me/integrations/pipedrive/connect", "individual"),
  route({
    method: "get",
    path: "/integrations/pipedrive/authorize",
    summary: "Opens a connect link: ties the flow to this browser (a cookie) and goes on to Pipedrive's consent page",
    tag: "Integrations",
    access: publicAccess("The signed, single-use, five-minute ticket from Connect is the credential"),
    query: AuthorizeQuery,
    responses: {
      302: "To Pipedrive's consent page, setting the browser's cookie; or to the console's Integrations page (a popup's link: /pipedrive/connected/): pipedrive=error&reason=…",
    },
    async handler({ services, query }) {
      if (!isPipedriveConfigured(services)) return redirect(integrationsPage(services, { pipedrive: "error", reason: "not_configured" }));
      const app = pipedriveApp(services);
      const key = services.config.pipedrive.stateKey;
      let ticket: Awaited<ReturnType<typeof verifyConnectTicket>>;
      try {
        ticket = await verifyConnectTicket(key, query.ticket ?? "", { nonceStore: databaseNonceStore(services.database.db) });
      } catch (error) {
        if (!(error instanceof OAuthStateError)) throw error;
        services.logger.warn({ reason: error.reason }, "Pipedrive connect link refused");
        // The ticket is refused, so its landing only picks which of our pages says so.
        return redirect(landingPage(services, unverifiedLanding(query.ticket), { pipedrive: "error", reason: error.reason }));
      }
      const browserSecret = mintBrowserSecret();
      const state = createOAuthState(key, {
        memberId: ticket.memberId,
        workspaceId: ticket.workspaceId,
        purpose: ticket.purpose,
        ...(ticket.landing ? { landing: ticket.landing } : {}),
        browserSecret,
      });
      return redirect(buildAuthorizeUrl(app, state), { "set-cookie": browserCookieFor(app, browserSecret) });
    },
  }),
  route({
    method: "get",
    path: callbackPath,
    summary: "Pipedrive's OAuth callback (also the Marketplace install landing)",
    tag: "Integrations",
    access: publicAccess("Pipedrive redirects the browser here; the signed, single-use state is the credential"),
    query: CallbackQuery,
    responses: {
      302: "To the console's Integrations page (or, for a connection made in a popup, /pipedrive/connected/): pipedrive=connected|install|error&reason=…, and missing=<scopes> when Pipedrive granted less than the app needs",
    },
    async handler({ services, query, request, audit }) {
      if (!isPipedriveConfigured(services)) return redirect(integrationsPage(services, { pipedrive: "error", reason: "not_configured" }));
      const db = services.database.db;
      // Every answer forgets the browser's secret: a state is tried at most once per browser. Until
      // the state is verified, its landing only picks which of our pages shows the refusal.
      let landing = unverifiedLanding(query.state);
      const finish = (outcome: Record<string, string>) =>
        redirect(landingPage(services, landing, outcome), query.state === undefined ? {} : { "set-cookie": browserCookieFor(pipedriveApp(services), null) });
      let result: Awaited<ReturnType<typeof completeOAuthCallback>>;
      try {
        result = await completeOAuthCallback(pipedriveApp(services), query, {
          stateKey: services.config.pipedrive.stateKey,
          nonceStore: databaseNonceStore(db),
          browserSecret: readCookie(request, browserCookie),
        });
      } catch (error) {
        if (error instanceof OAuthStateError || error instanceof PipedriveError) {
          services.logger.warn({ reason: error.reason }, "Pipedrive callback refused");
          return finish({ pipedrive: "error", reason: error.reason });
        }
        throw error;
      }
      if (result.kind === "denied") return finish({ pipedrive: "error", reason: "denied" });
      // "Install now" in the Marketplace carries no state: we can't tell which workspace it is
      // for, so the installation is kept unlinked and this browser may link it once signed in.
      if (result.kind === "marketplace_install") {
        const claim = await keepMarketplaceInstallation(db, services, result);
        return redirect(integrationsPage(services, { pipedrive: "install", ...missingOutcome(result.tokens.scope) }), { "set-cookie": claim });
      }
      const { state, tokens, identity } = result;
      landing = state.landing ?? "console";
      try {
        await db.transaction(async (tx) => {
          const actor = await loadActor(tx, state.workspaceId, state.memberId);
          if (actor?.status !== "active") throw new InstallRefused("member_inactive");
          if (!holds(actor, purposePermission[state.purpose])) throw new InstallRefused("permission_denied");
          const input = { workspaceId: state.workspaceId, memberId: state.memberId, tokens, identity };
          if (state.purpose === "workspace") await storeWorkspaceConnection(tx, services.config.encryptionKey, input);
          else await storeIndividualConnection(tx, services.config.encryptionKey, input);
          await audit(
            {
              workspaceId: state.workspaceId,
              actorId: state.memberId,
              action: state.purpose === "workspace" ? "pipedrive.connect" : "pipedrive.connect_individual",
              targetType: "pipedrive_company",
              targetId: String(identity.pipedriveCompanyId),
              details: { companyDomain: identity.companyDomain, pipedriveUserId: identity.pipedriveUserId, scope: tokens.scope },
            },
            tx,
          );
        });
      } catch (error) {
        if (error instanceof InstallRefused) return finish({ pipedrive: "error", reason: error.reason });
        throw error;
      }
      return finish({ pipedrive: "connected", ...(state.purpose === "individual" ? { scope: "me" } : {}), ...missingOutcome(tokens.scope) });
    },
  }),
  route({
    method: "delete",
    path: callbackPath,
    summary: "Pipedrive's uninstall notice: that user's installation is removed (only theirs)",
    tag: "Integrations",
    access: publicAccess("Pipedrive calls it; Basic client_id:client_secret, compared in constant time, is the credential"),
    responses: { 200: "Removed (or nothing to remove)", 400: "Not a notice for our app", 401: "Not Pipedrive's credentials" },
    ownTransactions: true,
    async handler({ services, request, body, audit }) {
      const verification = verifyUninstallRequest(pipedriveApp(services), { authorization: request.get("authorization"), body: request.body ?? body });
      if (!verification.ok) {
        services.logger.warn({ reason: verification.reason }, "Pipedrive uninstall refused");
        // The registry needs a trace of every successful mutation; a refused one changes nothing.
        return { status: verification.reason === "bad_body" ? 400 : 401, body: { error: verification.reason } };
      }
      const { notice } = verification;
      await services.database.db.transaction(async (tx) => {
        const removed = await removeUninstalledUser(tx, { companyId: notice.pipedriveCompanyId, pipedriveUserId: notice.pipedriveUserId });
        if (!removed) return;
        await audit(
          {
            workspaceId: removed.workspaceId,
            actorId: null,
            action: "pipedrive.uninstall",
            targetType: "pipedrive_company",
            targetId: String(notice.pipedriveCompanyId),
            details: { pipedriveUserId: notice.pipedriveUserId, memberId: removed.memberId, servedWorkspace: removed.servedWorkspace },
          },
          tx,
        );
      });
      return { status: 200, body: { ok: true } };
    },
    auditExempt: "Audited in the affected workspace; an uninstall for a user we hold nothing of touches no workspace",
  }),
  route({
    method: "post",
    path: callbackPath,
    summary: "Pipedrive's app-sharing notice: an admin shared (or unshared) the app with a user of the company",
    tag: "Integrations",
    access: publicAccess("Pipedrive calls it; Basic client_id:client_secret (assumed as for the uninstall notice), compared in constant time"),
    responses: { 200: "Recorded", 400: "Not a sharing notice", 401: "Not Pipedrive's credentials" },
    ownTransactions: true,
    async handler({ services, request, body, audit }) {
      const verification = verifyAppSharingRequest(pipedriveApp(services), { authorization: request.get("authorization"), body: request.body ?? body });
      if (!verification.ok) {
        services.logger.warn({ reason: verification.reason }, "Pipedrive app-sharing notice refused");
        return { status: verification.reason === "bad_body" ? 400 : 401, body: { error: verification.reason } };
      }
      const { notice } = verification;
      await services.database.db.transaction(async (tx) => {
        const workspaceId = await recordAppSharing(tx, notice);
        if (!workspaceId) return;
        await audit(
          {
            workspaceId,
            actorId: null,
            action: notice.isShared ? "pipedrive.app_shared" : "pipedrive.app_unshared",
            targetType: "pipedrive_user",
            targetId: String(notice.pipedriveUserId),
            details: { companyId: notice.pipedriveCompanyId },
          },
          tx,
        );
      });
      return { status: 200, body: { ok: true } };
    },
    auditExempt: "Audited in the company's workspace; a notice for a company no workspace holds is only recorded",
  }),
];

import { Configuration as ConfigurationV1, UsersApi } from "pipedrive/v1";
import { OAuth2Configuration, type TokenResponse } from "pipedrive/v2";
import { type OAuthNonceStore, type OAuthStateClaims, type OAuthStatePurpose, verifyOAuthState } from "../crm/oauth-state";
import { errorTextOf, PipedriveError, pipedriveErrorFrom, sdkRequestOptions } from "./errors";

/** Our Marketplace app as registered in Pipedrive's Developer Hub. */
export type PipedriveApp = {
  clientId: string;
  clientSecret: string;
  /** Must equal the Callback URL registered in Developer Hub. */
  redirectUri: string;
  /** OAuth server; defaults to https://oauth.pipedrive.com. Tests point it at the fake. */
  oauthHost?: string;
};

/** One installation's tokens. `expiresAt` is our own clock (see refreshMarginMs in client.ts). */
export type PipedriveTokens = {
  accessToken: string;
  refreshToken: string;
  scope: string;
  /** e.g. https://acme.pipedrive.com; API calls go to `${apiDomain}/api/v1|v2`. */
  apiDomain: string;
  expiresAt: Date;
};

/** Who installed: installations are keyed by (company, user), never by email. */
export type PipedriveIdentity = {
  pipedriveUserId: number;
  pipedriveCompanyId: number;
  name: string;
  email: string;
  companyDomain: string;
  companyName: string | null;
  isAdmin: boolean;
};

export type OAuthCallbackQuery = { code?: unknown; state?: unknown; error?: unknown };

export type OAuthCallbackResult =
  /** The user declined consent (`error=user_denied`) or the callback carried no code. */
  | { kind: "denied"; error: string }
  /** Started from our own authorize URL: the state says which member and workspace. */
  | { kind: "connected"; state: OAuthStateClaims; tokens: PipedriveTokens; identity: PipedriveIdentity }
  /** "Install now" in the Marketplace sends no state; the route starts onboarding instead. */
  | { kind: "marketplace_install"; tokens: PipedriveTokens; identity: PipedriveIdentity };

/** The Pipedrive consent URL for our app, carrying `state` when we started the flow. */
export function buildAuthorizeUrl(app: PipedriveApp, state?: string): string {
  const url = new URL(oauthClient(app).authorizationUrl);
  if (state !== undefined) url.searchParams.set("state", state);
  return url.toString();
}

/**
 * Handles the OAuth callback's query. A state, when present, is verified against the browser's
 * secret (and its nonce burnt) before the code is exchanged, so a forged callback never spends our exchange; then the code
 * is exchanged at once (it lives 5 minutes) and the user identified through /users/me.
 * Throws OAuthStateError for a bad state and PipedriveError when Pipedrive refuses.
 */
export async function completeOAuthCallback(
  app: PipedriveApp,
  query: OAuthCallbackQuery,
  options: {
    stateKey: string | Buffer;
    nonceStore: OAuthNonceStore;
    /** The secret from the callback browser's cookie; a state is accepted only with its own browser's. */
    browserSecret: string | undefined;
    expectedPurpose?: OAuthStatePurpose;
    now?: () => Date;
  },
): Promise<OAuthCallbackResult> {
  if (query.error !== undefined) return { kind: "denied", error: String(query.error) };
  if (typeof query.code !== "string" || query.code === "") return { kind: "denied", error: "missing_code" };
  const now = options.now ?? (() => new Date());
  const state =
    query.state === undefined
      ? null
      : await verifyOAuthState(options.stateKey, String(query.state), {
          nonceStore: options.nonceStore,
          browserSecret: options.browserSecret,
          expectedPurpose: options.expectedPurpose,
          now: now(),
        });
  const tokens = await exchangeAuthorizationCode(app, query.code, now);
  const identity = await identifyPipedriveUser(tokens);
  return state ? { kind: "connected", state, tokens, identity } : { kind: "marketplace_install", tokens, identity };
}

/** Exchanges an authorization code through the SDK's OAuth2Configuration. */
export async function exchangeAuthorizationCode(app: PipedriveApp, code: string, now = () => new Date()): Promise<PipedriveTokens> {
  try {
    return tokensFrom(await oauthClient(app).authorize(code), now());
  } catch (rejection) {
    throw tokenEndpointError(rejection, "code_rejected");
  }
}

/** Refreshes through the SDK's OAuth2Configuration; `reconnect_required` when the refresh token is dead. */
export async function refreshPipedriveTokens(app: PipedriveApp, refreshToken: string, now = () => new Date()): Promise<PipedriveTokens> {
  const oauth = oauthClient(app);
  // Only the refresh token is restored: the SDK's own expiry clock is never consulted (pipedrive.md §1.5).
  oauth.updateToken({ refresh_token: refreshToken } as TokenResponse);
  try {
    return tokensFrom(await oauth.tokenRefresh(), now(), refreshToken);
  } catch (rejection) {
    throw tokenEndpointError(rejection, "reconnect_required");
  }
}

/** How long a revoke may take before the disconnect goes ahead without it. */
const revokeTimeoutMs = 10_000;

/**
 * Revokes an installation's refresh token through the SDK's OAuth2Configuration.revokeToken:
 * `POST /oauth/revoke`, Basic client credentials, `token=…&token_type_hint=refresh_token`. Pipedrive
 * then marks the app uninstalled for that user (https://pipedrive.readme.io/docs/app-uninstallation);
 * per RFC 7009 an unknown or already revoked token is answered 200 too. Throws PipedriveError.
 */
export async function revokeRefreshToken(app: PipedriveApp, refreshToken: string): Promise<void> {
  const oauth = oauthClient(app);
  oauth.updateToken({ refresh_token: refreshToken } as TokenResponse);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new PipedriveError("unreachable", `Pipedrive's revoke endpoint did not answer within ${revokeTimeoutMs} ms`)),
      revokeTimeoutMs,
    );
  });
  try {
    await Promise.race([oauth.revokeToken("refresh_token"), timeout]);
  } catch (rejection) {
    throw tokenEndpointError(rejection, "server_error");
  } finally {
    clearTimeout(timer);
  }
}

/** GET /api/v1/users/me with the new tokens. */
export async function identifyPipedriveUser(tokens: PipedriveTokens): Promise<PipedriveIdentity> {
  const configuration = new ConfigurationV1({ accessToken: tokens.accessToken, basePath: `${tokens.apiDomain}/api/v1` });
  configuration.baseOptions = sdkRequestOptions;
  const response = await new UsersApi(configuration).getCurrentUser().catch((rejection: unknown) => {
    throw pipedriveErrorFrom(rejection) ?? rejection;
  });
  const user = response.data;
  if (typeof user?.id !== "number" || typeof user.company_id !== "number") {
    throw new PipedriveError("unexpected_response", "users/me did not name the user and company");
  }
  return {
    pipedriveUserId: user.id,
    pipedriveCompanyId: user.company_id,
    name: user.name ?? "",
    email: user.email ?? "",
    companyDomain: user.company_domain ?? "",
    companyName: user.company_name ?? null,
    isAdmin: Boolean((user as { is_admin?: unknown }).is_admin),
  };
}

// One OAuth2Configuration per use: it keeps tokens as instance state (pipedrive.md §1.5 gotcha 5).
function oauthClient(app: PipedriveApp): OAuth2Configuration {
  return new OAuth2Configuration({
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    redirectUri: app.redirectUri,
    ...(app.oauthHost ? { host: app.oauthHost.replace(/\/$/, "") } : {}),
  });
}

// expiresAt is computed from expires_in at receipt; the SDK's restored-token clock is not trusted.
function tokensFrom(response: TokenResponse, receivedAt: Date, previousRefreshToken?: string): PipedriveTokens {
  const refreshToken = response.refresh_token || previousRefreshToken;
  if (!response.access_token || !refreshToken || !response.api_domain || !(response.expires_in > 0)) {
    throw new PipedriveError("unexpected_response", "Pipedrive's token response is missing fields");
  }
  return {
    accessToken: response.access_token,
    refreshToken,
    scope: response.scope ?? "",
    apiDomain: response.api_domain.replace(/\/$/, ""),
    expiresAt: new Date(receivedAt.getTime() + response.expires_in * 1000),
  };
}

// The token endpoint's axios instance is private to the SDK, so only the body is available here:
// Pipedrive answers `invalid_grant` for a bad code or refresh token and `invalid_client` for us.
function tokenEndpointError(rejection: unknown, onInvalidGrant: "code_rejected" | "reconnect_required" | "server_error"): unknown {
  if (rejection instanceof PipedriveError) return rejection;
  const text = rejection instanceof Error ? null : errorTextOf(rejection);
  if (text === null) return pipedriveErrorFrom(rejection) ?? rejection;
  if (/invalid[_ ]grant/i.test(text)) return new PipedriveError(onInvalidGrant, `Pipedrive refused the grant: ${text}`);
  if (/invalid[_ ]client/i.test(text)) return new PipedriveError("client_rejected", `Pipedrive refused our client: ${text}`);
  return new PipedriveError("server_error", `Pipedrive's token endpoint failed: ${text}`);
}

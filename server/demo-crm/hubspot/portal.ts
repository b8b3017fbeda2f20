import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

// The state behind an imitation of HubSpot: portals (hub ids) with users, owners, contacts, deals
// and the Communications written to them, and the OAuth grants an app holds there. Shared by the
// demo HubSpot portal and the tests' fake; nothing here is HTTP.

export type HubspotUser = { userId: number; ownerId: number; email: string; firstName: string; lastName: string; superAdmin: boolean };
export type CrmRecord = { id: string; properties: Record<string, string | null>; createdAt: string; updatedAt: string };
export type HubspotDeal = CrmRecord & { contactIds: string[] };
export type HubspotCommunication = CrmRecord & { associations: { toObjectType: "contacts" | "deals"; id: string; associationTypeId: number }[] };

export type HubspotPortal = {
  hubId: number;
  /** The account's domain as introspection reports it (hub_domain). */
  domain: string;
  users: HubspotUser[];
  contacts: Map<string, CrmRecord>;
  deals: Map<string, HubspotDeal>;
  communications: Map<string, HubspotCommunication>;
  /** Whether the app is installed here; uninstalling ends every grant of the portal. */
  appInstalled: boolean;
  /** When this process saw the app uninstalled: sealed tokens issued before then stay dead. */
  uninstalledAtMs?: number;
};

/** The app as registered with HubSpot (its app-hsmeta.json): who may ask for what, and where to send the installer back. */
export type HubspotAppRegistration = {
  appId: number;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  requiredScopes: string[];
  optionalScopes: string[];
};

export type Grant = { hubId: number; userId: number; scopes: string[] };
type AccessToken = Grant & { expiresAtMs: number; refreshToken: string };
type RefreshToken = Grant & { revoked: boolean; issuedAtMs?: number };
type AuthorizationCode = Grant & { redirectUri: string; expiresAtMs: number };

/** Access tokens live 30 minutes (hubspot.md §3: expires_in 1800). */
export const accessTokenLifetimeSeconds = 1800;
/** How long a code may wait for its exchange ([U]: HubSpot does not publish it; short, as OAuth servers do). */
const codeLifetimeMs = 5 * 60 * 1000;

export class HubspotPortals {
  readonly portals = new Map<number, HubspotPortal>();
  private readonly codes = new Map<string, AuthorizationCode>();
  private readonly accessTokens = new Map<string, AccessToken>();
  private readonly refreshTokens = new Map<string, RefreshToken>();
  private sequence = 1000;

  /**
   * With `sealKey` (the demo portal), each token also carries its grant, sealed with an HMAC, so
   * the grants outlive the process: after a restart a token this portal issued is recalled from
   * itself. Without it (the tests' fake), tokens are only what this process remembers.
   */
  constructor(
    readonly clock: () => number = Date.now,
    private readonly sealKey: Buffer | null = null,
  ) {}

  addPortal(input: { hubId: number; domain?: string }): HubspotPortal {
    const portal: HubspotPortal = {
      hubId: input.hubId,
      domain: input.domain ?? `portal-${input.hubId}.hubspot.com`,
      users: [],
      contacts: new Map(),
      deals: new Map(),
      communications: new Map(),
      appInstalled: false,
    };
    this.portals.set(portal.hubId, portal);
    return portal;
  }

  portal(hubId: number): HubspotPortal {
    const portal = this.portals.get(hubId);
    if (!portal) throw new Error(`no HubSpot portal ${hubId}`);
    return portal;
  }

  /** A user of the portal; their owner id differs from their user id, as in HubSpot (owners API: id ≠ userId). */
  addUser(hubId: number, user: Omit<HubspotUser, "ownerId"> & { ownerId?: number }): HubspotUser {
    const added = { ...user, ownerId: user.ownerId ?? user.userId + 70_000_000 };
    this.portal(hubId).users.push(added);
    return added;
  }

  addContact(hubId: number, properties: Record<string, string | null>, id = this.nextId()): CrmRecord {
    const record = this.record(id, properties);
    this.portal(hubId).contacts.set(id, record);
    return record;
  }

  addDeal(hubId: number, properties: Record<string, string | null>, contactIds: string[], id = this.nextId()): HubspotDeal {
    const deal = { ...this.record(id, properties), contactIds };
    this.portal(hubId).deals.set(id, deal);
    return deal;
  }

  record(id: string, properties: Record<string, string | null>): CrmRecord {
    const now = new Date(this.clock()).toISOString();
    return { id, properties: { ...properties, hs_object_id: id, createdate: now, lastmodifieddate: now }, createdAt: now, updatedAt: now };
  }

  nextId(): string {
    this.sequence += 1;
    return String(this.sequence);
  }

  issueCode(grant: Grant & { redirectUri: string }): string {
    const code = `code-${randomBytes(18).toString("base64url")}`;
    this.codes.set(code, { ...grant, expiresAtMs: this.clock() + codeLifetimeMs });
    this.portal(grant.hubId).appInstalled = true;
    return code;
  }

  /** A code is good once, before it expires, for the redirect URI it was issued to. */
  redeemCode(code: string, redirectUri: string): AuthorizationCode | "invalid" | "redirect_mismatch" {
    const issued = this.codes.get(code);
    this.codes.delete(code);
    if (!issued || issued.expiresAtMs <= this.clock()) return "invalid";
    if (issued.redirectUri !== redirectUri) return "redirect_mismatch";
    return issued;
  }

  issueTokens(grant: Grant, refreshToken?: string) {
    const now = this.clock();
    const refresh =
      refreshToken ??
      (this.sealKey
        ? `na1-${this.seal({ h: grant.hubId, u: grant.userId, s: grant.scopes, i: now })}`
        : `na1-${randomBytes(4).toString("hex")}-${randomBytes(16).toString("hex")}`);
    if (!refreshToken) this.refreshTokens.set(refresh, { ...grant, revoked: false, issuedAtMs: now });
    const expiresAtMs = now + accessTokenLifetimeSeconds * 1000;
    // Access tokens are long opaque strings, up to 300 characters (hubspot.md §3).
    const access = this.sealKey ? `CO${this.seal({ r: refresh, e: expiresAtMs })}` : `CO${randomBytes(96).toString("base64url")}`;
    this.accessTokens.set(access, { ...grant, refreshToken: refresh, expiresAtMs });
    return { accessToken: access, refreshToken: refresh };
  }

  /** The grant behind a refresh token, while it is neither revoked nor its portal uninstalled. */
  liveRefreshToken(token: string): RefreshToken | null {
    const grant = this.refreshToken(token);
    if (!grant || grant.revoked || !this.portals.get(grant.hubId)?.appInstalled) return null;
    return grant;
  }

  accessToken(token: string): (AccessToken & { state: "live" | "expired" | "dead" }) | null {
    const grant = this.accessTokens.get(token) ?? this.recallAccessToken(token);
    if (!grant) return null;
    const refresh = this.refreshToken(grant.refreshToken);
    if (!refresh || refresh.revoked || !this.portals.get(grant.hubId)?.appInstalled) return { ...grant, state: "dead" };
    return { ...grant, state: grant.expiresAtMs <= this.clock() ? "expired" : "live" };
  }

  /** Revokes a refresh token (and so every access token minted from it). */
  revoke(token: string): boolean {
    const grant = this.refreshToken(token);
    if (!grant) return false;
    grant.revoked = true;
    return true;
  }

  /** Every current access token expires now (a test of refresh before use). */
  expireAccessTokens() {
    for (const token of this.accessTokens.values()) token.expiresAtMs = this.clock();
  }

  uninstall(hubId: number) {
    const portal = this.portal(hubId);
    portal.appInstalled = false;
    portal.uninstalledAtMs = this.clock();
  }

  private refreshToken(token: string): RefreshToken | null {
    return this.refreshTokens.get(token) ?? this.recallRefreshToken(token);
  }

  /**
   * A sealed refresh token this process has not seen (issued before a restart): its grant, if the
   * seal holds and the portal exists. The install it proves still stands unless this process saw
   * the app uninstalled after the token was issued.
   */
  private recallRefreshToken(token: string): RefreshToken | null {
    const sealed = token.startsWith("na1-") ? this.unseal(token.slice(4)) : null;
    if (!sealed || typeof sealed.h !== "number" || typeof sealed.u !== "number" || !Array.isArray(sealed.s) || typeof sealed.i !== "number") return null;
    const portal = this.portals.get(sealed.h);
    if (!portal) return null;
    const uninstalledSince = portal.uninstalledAtMs !== undefined && portal.uninstalledAtMs >= sealed.i;
    if (!portal.appInstalled && !uninstalledSince) portal.appInstalled = true;
    const grant: RefreshToken = { hubId: sealed.h, userId: sealed.u, scopes: sealed.s.map(String), revoked: uninstalledSince, issuedAtMs: sealed.i };
    this.refreshTokens.set(token, grant);
    return grant;
  }

  private recallAccessToken(token: string): AccessToken | null {
    const sealed = token.startsWith("CO") ? this.unseal(token.slice(2)) : null;
    if (!sealed || typeof sealed.r !== "string" || typeof sealed.e !== "number") return null;
    const refresh = this.refreshToken(sealed.r);
    if (!refresh) return null;
    const grant: AccessToken = { hubId: refresh.hubId, userId: refresh.userId, scopes: refresh.scopes, refreshToken: sealed.r, expiresAtMs: sealed.e };
    this.accessTokens.set(token, grant);
    return grant;
  }

  private seal(payload: Record<string, unknown>): string {
    const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
    return `${body}.${this.mac(body)}`;
  }

  private unseal(sealed: string): Record<string, unknown> | null {
    if (!this.sealKey) return null;
    const [body = "", mac = "", ...rest] = sealed.split(".");
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (rest.length > 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      const payload: unknown = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
      return payload && typeof payload === "object" ? (payload as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }

  private mac(body: string): string {
    return createHmac("sha256", this.sealKey ?? Buffer.alloc(0))
      .update(body)
      .digest("base64url")
      .slice(0, 32);
  }
}

import { randomBytes } from "node:crypto";

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
type RefreshToken = Grant & { revoked: boolean };
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

  constructor(readonly clock: () => number = Date.now) {}

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
    const refresh = refreshToken ?? `na1-${randomBytes(4).toString("hex")}-${randomBytes(16).toString("hex")}`;
    if (!refreshToken) this.refreshTokens.set(refresh, { ...grant, revoked: false });
    // Access tokens are long opaque strings, up to 300 characters (hubspot.md §3).
    const access = `CO${randomBytes(96).toString("base64url")}`;
    this.accessTokens.set(access, { ...grant, refreshToken: refresh, expiresAtMs: this.clock() + accessTokenLifetimeSeconds * 1000 });
    return { accessToken: access, refreshToken: refresh };
  }

  /** The grant behind a refresh token, while it is neither revoked nor its portal uninstalled. */
  liveRefreshToken(token: string): RefreshToken | null {
    const grant = this.refreshTokens.get(token);
    if (!grant || grant.revoked || !this.portals.get(grant.hubId)?.appInstalled) return null;
    return grant;
  }

  accessToken(token: string): (AccessToken & { state: "live" | "expired" | "dead" }) | null {
    const grant = this.accessTokens.get(token);
    if (!grant) return null;
    const refresh = this.refreshTokens.get(grant.refreshToken);
    if (!refresh || refresh.revoked || !this.portals.get(grant.hubId)?.appInstalled) return { ...grant, state: "dead" };
    return { ...grant, state: grant.expiresAtMs <= this.clock() ? "expired" : "live" };
  }

  /** Revokes a refresh token (and so every access token minted from it). */
  revoke(token: string): boolean {
    const grant = this.refreshTokens.get(token);
    if (!grant) return false;
    grant.revoked = true;
    return true;
  }

  /** Every current access token expires now (a test of refresh before use). */
  expireAccessTokens() {
    for (const token of this.accessTokens.values()) token.expiresAtMs = this.clock();
  }

  uninstall(hubId: number) {
    this.portal(hubId).appInstalled = false;
  }
}

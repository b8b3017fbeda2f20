import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Executor } from "../db/client";
import { pipedriveInstallationRoutes, pipedriveInstallations, pipedriveUnclaimedInstallations } from "../db/schema";
import { cookieHeader, readCookie } from "../http/cookies";
import { HttpProblem, notFound } from "../http/problem";
import { anyMember, type Context, requires, route } from "../http/route";
import type { Principal } from "../identity/tokens";
import type { Services } from "../services";
import { installationRouteWhere, installationWhere, pipedriveApp, unclaimedInstallationWhere } from "./connections";
import { InstallRefused, storeIndividualConnection, storeWorkspaceConnection } from "./installations";
import type { PipedriveIdentity, PipedriveTokens } from "./oauth";
import { openPipedriveTokens, sealPipedriveTokens } from "./token-storage";

// "Install now" in Pipedrive's Marketplace reaches the callback with a code and no state: nothing
// says which workspace it is for. The installation is kept (not linked to any workspace), and the
// browser that finished it gets a signed claim in an HttpOnly cookie; the console's Integrations
// page, once someone signs in (or creates a workspace) in that browser, shows it, and an Owner or
// Admin links the company to their workspace with it; a member who links no companies (a rep who
// installed the app for themselves) keeps it as their own Pipedrive connection instead.

const claimCookie = "sb_pipedrive_install";
const claimSeconds = 30 * 60;

const Claim = z.object({
  identity: z.object({
    pipedriveUserId: z.number().int(),
    pipedriveCompanyId: z.number().int(),
    name: z.string(),
    email: z.string(),
    companyDomain: z.string(),
    companyName: z.string().nullable(),
    isAdmin: z.boolean(),
  }),
  expiresAt: z.number(),
  nonce: z.string(),
});

const mac = (key: string | Buffer, payload: string) =>
  createHmac("sha256", key).update(`switchboard.pipedrive.marketplace-install.${payload}`).digest("base64url");

/** The claim cookie is sent to the callback's folder only (the callback and the install routes). */
function claimCookieHeader(services: Services, value: string | null): string {
  const callback = new URL(pipedriveApp(services).redirectUri);
  const path = new URL("./", callback).pathname;
  return cookieHeader(claimCookie, value ?? "", { path, secure: callback.protocol === "https:", maxAgeSeconds: value ? claimSeconds : 0 });
}

function readClaim(services: Services, cookie: string | undefined): PipedriveIdentity | null {
  const [payload = "", signature = ""] = (cookie ?? "").split(".");
  const expected = mac(services.config.pipedrive.stateKey, payload);
  if (!signature || signature.length !== expected.length || !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  const claim = Claim.safeParse(decoded);
  if (!claim.success || claim.data.expiresAt <= Date.now()) return null;
  return claim.data.identity;
}

/**
 * Keeps a Marketplace installation: a new one linked to no workspace; one already linked keeps
 * its workspace and member and gets the new tokens. Answers the Set-Cookie for the claim.
 */
export async function keepMarketplaceInstallation(
  db: Executor,
  services: Services,
  input: { tokens: PipedriveTokens; identity: PipedriveIdentity },
): Promise<string> {
  const { identity } = input;
  const key = { companyId: identity.pipedriveCompanyId, pipedriveUserId: identity.pipedriveUserId };
  const values = {
    name: identity.name,
    ...sealPipedriveTokens(services.config.encryptionKey, input.tokens),
    status: "connected" as const,
    statusReason: null,
    updatedAt: new Date(),
  };
  const linked = await db
    .update(pipedriveInstallations)
    .set(values)
    .where(installationWhere(key))
    .returning({ workspaceId: pipedriveInstallations.workspaceId });
  if (linked.length === 0) {
    // A route left without its installation (its member was deleted) no longer holds the installation.
    await db.delete(pipedriveInstallationRoutes).where(installationRouteWhere(key));
    await db
      .insert(pipedriveUnclaimedInstallations)
      .values({ ...key, ...values })
      .onConflictDoUpdate({ target: [pipedriveUnclaimedInstallations.companyId, pipedriveUnclaimedInstallations.pipedriveUserId], set: values });
  }
  const payload = Buffer.from(JSON.stringify({ identity, expiresAt: Date.now() + claimSeconds * 1000, nonce: randomBytes(12).toString("base64url") })).toString(
    "base64url",
  );
  return claimCookieHeader(services, `${payload}.${mac(services.config.pipedrive.stateKey, payload)}`);
}

const noInstall = () => notFound("Pipedrive install in this browser");

/** The installation this browser's claim names, still working and not another workspace's, with its tokens. */
async function claimedInstallation(db: Executor, services: Services, request: Parameters<typeof readCookie>[0], workspaceId: string) {
  const identity = readClaim(services, readCookie(request, claimCookie));
  if (!identity) throw noInstall();
  const key = { companyId: identity.pipedriveCompanyId, pipedriveUserId: identity.pipedriveUserId };
  const [linked] = await db.select().from(pipedriveInstallations).where(installationWhere(key));
  const [unclaimed] = linked ? [] : await db.select().from(pipedriveUnclaimedInstallations).where(unclaimedInstallationWhere(key));
  const row = linked ?? unclaimed;
  if (row?.status !== "connected") throw noInstall();
  if (linked && linked.workspaceId !== workspaceId) throw linkedElsewhere();
  return { identity, tokens: openPipedriveTokens(services.config.encryptionKey, row) };
}

/**
 * Stores this browser's claimed installation with `store` (as the workspace's or the member's own
 * connection) and logs `action` via the Marketplace; the store's refusals become 409s.
 */
async function connectClaimedInstallation(
  { actor, services, request, db, audit }: Context<unknown, unknown, unknown, Principal>,
  store: typeof storeWorkspaceConnection | typeof storeIndividualConnection,
  action: "pipedrive.connect" | "pipedrive.connect_individual",
): Promise<PipedriveIdentity> {
  const { identity, tokens } = await claimedInstallation(db, services, request, actor.workspaceId);
  try {
    await store(db, services.config.encryptionKey, { workspaceId: actor.workspaceId, memberId: actor.memberId, tokens, identity });
  } catch (error) {
    if (error instanceof InstallRefused && error.reason === "company_linked_elsewhere") throw linkedElsewhere();
    if (error instanceof InstallRefused && error.reason === "wrong_company") throw otherCompany();
    throw error;
  }
  await audit({
    action,
    targetType: "pipedrive_company",
    targetId: String(identity.pipedriveCompanyId),
    details: { companyDomain: identity.companyDomain, pipedriveUserId: identity.pipedriveUserId, scope: tokens.scope, via: "marketplace" },
  });
  return identity;
}

export const pipedriveMarketplaceInstallRoutes = [
  route({
    method: "get",
    path: "/integrations/pipedrive/install",
    summary: "The Pipedrive Marketplace install this browser finished, waiting to be linked to a workspace",
    tag: "Integrations",
    access: anyMember,
    responses: { 200: "{companyId, companyDomain, companyName, installedBy}", 404: "No install waiting in this browser" },
    async handler({ services, request }) {
      const identity = readClaim(services, readCookie(request, claimCookie));
      if (!identity) throw noInstall();
      return {
        status: 200,
        body: {
          companyId: identity.pipedriveCompanyId,
          companyDomain: identity.companyDomain,
          companyName: identity.companyName,
          installedBy: identity.name,
        },
      };
    },
  }),
  route({
    method: "post",
    path: "/integrations/pipedrive/install",
    summary: "Link the Pipedrive company this browser installed from the Marketplace to your workspace (its installation serves the workspace)",
    tag: "Integrations",
    access: requires("integrations.workspace"),
    responses: {
      200: "{companyId, companyDomain}",
      404: "No install waiting in this browser (or it was uninstalled since)",
      409: "The company is connected to another workspace",
    },
    async handler(context) {
      const identity = await connectClaimedInstallation(context, storeWorkspaceConnection, "pipedrive.connect");
      return {
        status: 200,
        headers: { "set-cookie": claimCookieHeader(context.services, null) },
        body: { companyId: identity.pipedriveCompanyId, companyDomain: identity.companyDomain },
      };
    },
  }),
  route({
    method: "post",
    path: "/integrations/pipedrive/install/individual",
    // Beside the workspace's link: the claim cookie is sent to the callback's folder only.
    summary: "Keep the Pipedrive Marketplace install this browser finished as your own Pipedrive connection",
    tag: "Integrations",
    access: requires("integrations.individual"),
    responses: {
      200: "{companyId, companyDomain, pipedriveUserId}",
      404: "No install waiting in this browser (or it was uninstalled since)",
      409: "The company is connected to another workspace, or your workspace to another company",
    },
    async handler(context) {
      const identity = await connectClaimedInstallation(context, storeIndividualConnection, "pipedrive.connect_individual");
      return {
        status: 200,
        headers: { "set-cookie": claimCookieHeader(context.services, null) },
        body: { companyId: identity.pipedriveCompanyId, companyDomain: identity.companyDomain, pipedriveUserId: identity.pipedriveUserId },
      };
    },
  }),
];

const linkedElsewhere = () =>
  new HttpProblem(
    409,
    "conflict",
    "Connected to another workspace",
    "This Pipedrive company is already connected to another Switchboard workspace. Disconnect it there first.",
  );

const otherCompany = () =>
  new HttpProblem(
    409,
    "conflict",
    "Another Pipedrive company",
    "This workspace is connected to a different Pipedrive company from the one you installed Switchboard in. Install it in that company instead.",
  );

import { eq, inArray } from "drizzle-orm";
import { loadActor } from "../crm/actor";
import type { Executor } from "../db/client";
import { members, users } from "../db/schema";
import { type DemoCrmUser, demoCrmCompany, demoCrmUserFor, demoCrmUsers } from "../demo-crm/company";
import { apiPrefix } from "../http/app";
import { holds } from "../permissions";
import { loadIndividualConnection, loadWorkspaceConnection } from "../pipedrive/connections";
import type { Services } from "../services";
import { DemoBrowser, DemoJourneyError, pressFormButton, reasonOf } from "./browser";
import { demoEmail } from "./members";
import { demoPassword } from "./seed";

export type DemoCrmConnectionOutcome = "connected" | "refreshed" | "unchanged" | "skipped";

/**
 * Connects the demo workspace to the demo CRM the way its people would, over HTTP against this
 * server once it listens: the Owner signs in, asks for the connect link as the Integrations page
 * does, opens it in a browser (which gets the callback's cookie), allows on the demo CRM's consent
 * page as Demo Owner (company 67890, user 101), and the callback stores the connection and writes
 * the activity log. Then every member who may (integrations.individual) connects their own
 * Pipedrive user the same way (101–104, so notes carry their names), and the Owner maps user 105 to
 * the Collaborator, who may not, on the Integrations API.
 *
 * Only reads decide what to do: a workspace connected to the demo CRM at this address is left
 * alone ("unchanged": a second start does nothing); one connected to another company too
 * ("skipped"); one whose installations were made for another address (PUBLIC_URL or PORT changed
 * since) goes through the journey again ("refreshed"). Does nothing unless the demo CRM is this
 * server's Pipedrive app. A step that fails throws DemoJourneyError naming it.
 */
export async function connectDemoWorkspaceToDemoCrm(services: Services, listeningAt: string): Promise<DemoCrmConnectionOutcome> {
  const { config, database } = services;
  if (!config.pipedrive.usesDemoCrm) return "skipped";
  const db = database.db;
  const demoMembers = await findDemoMembers(db);
  const owner = demoMembers.get("owner");
  if (!owner) return "skipped";
  const { workspaceId } = owner;
  const stale = (row: { apiDomain: string } | null) => row !== null && row.apiDomain !== config.demoCrm.url;

  const existing = await loadWorkspaceConnection(db, workspaceId);
  // Someone connected another company (a real Pipedrive): leave it alone.
  if (existing && existing.companyId !== demoCrmCompany.id) return "skipped";
  const fresh = !existing;
  // The Owner's installation was uninstalled or made for another address: connect again.
  if (!fresh && existing.installation && !stale(existing.installation)) return "unchanged";

  const journey = new PipedriveJourney(services, listeningAt);
  try {
    const ownerSession = await journey.signIn("owner");
    await journey.connect(ownerSession, "workspace", demoCrmUserFor("owner"));
    for (const user of demoCrmUsers) {
      const member = demoMembers.get(user.roleId);
      if (!member) continue;
      const actor = await loadActor(db, workspaceId, member.memberId);
      const own = await loadIndividualConnection(db, workspaceId, member.memberId);
      if (actor?.status === "active" && holds(actor, "integrations.individual")) {
        if (fresh || stale(own)) await journey.connect(user.roleId === "owner" ? ownerSession : await journey.signIn(user.roleId), "individual", user);
      } else if (fresh && !own) {
        await journey.mapUser(ownerSession, user, member.memberId);
      }
    }
  } finally {
    await journey.signOutAll();
  }
  return fresh ? "connected" : "refreshed";
}

type DemoMember = { workspaceId: string; memberId: string };

/** The demo workspace's members by role, found by their demo e-mail addresses. */
async function findDemoMembers(db: Executor): Promise<Map<string, DemoMember>> {
  const emails = demoCrmUsers.map((user) => demoEmail(user.roleId));
  const rows = await db
    .select({ email: users.email, workspaceId: members.workspaceId, memberId: members.id })
    .from(users)
    .innerJoin(members, eq(members.userId, users.id))
    .where(inArray(users.email, emails));
  const ownerRow = rows.find((row) => row.email === demoEmail("owner"));
  const byRole = new Map<string, DemoMember>();
  for (const user of demoCrmUsers) {
    const row = rows.find((candidate) => candidate.email === demoEmail(user.roleId) && candidate.workspaceId === ownerRow?.workspaceId);
    if (row) byRole.set(user.roleId, { workspaceId: row.workspaceId, memberId: row.memberId });
  }
  return byRole;
}

/** The steps, each a request a person's console or browser makes. */
class PipedriveJourney {
  private readonly sessions: string[] = [];

  constructor(
    private readonly services: Services,
    private readonly listeningAt: string,
  ) {}

  /** Logs in as the demo member of this role (POST /sessions, as the console's login page does). */
  async signIn(roleId: DemoCrmUser["roleId"]): Promise<string> {
    const answer = await this.api("POST", "/sessions", null, { email: demoEmail(roleId), password: demoPassword });
    if (answer.status !== 201) throw new DemoJourneyError(`signing in as ${demoEmail(roleId)}: ${answer.status} ${answer.text}`);
    const token = (answer.body as { token: string }).token;
    this.sessions.push(token);
    return token;
  }

  /**
   * Connect → consent → callback, in a browser of its own: the connect link as the Integrations
   * page (workspace) or the member's own settings (individual) ask for it, opened at the top level;
   * on the demo CRM's consent page, `user`'s button; the callback's redirect back to Integrations
   * must say `pipedrive=connected`.
   */
  async connect(session: string, purpose: "workspace" | "individual", user: DemoCrmUser): Promise<void> {
    const step = `connecting ${purpose === "workspace" ? "the workspace" : "their own Pipedrive user"} as ${user.name}`;
    const started = await this.api("POST", purpose === "workspace" ? "/integrations/pipedrive/connect" : "/me/integrations/pipedrive/connect", session);
    if (started.status !== 200) throw new DemoJourneyError(`${step}: Connect answered ${started.status} ${started.text}`);
    const { config } = this.services;
    const browser = new DemoBrowser(config.publicUrl, this.listeningAt);
    const connectLink = (started.body as { authorizeUrl: string }).authorizeUrl;
    const consentUrl = DemoBrowser.redirectTarget(await browser.open(connectLink), connectLink, `${step}, opening the connect link`);
    if (!consentUrl.href.startsWith(`${config.pipedrive.oauthHost}/oauth/authorize?`))
      throw new DemoJourneyError(`${step}: the connect link led to ${landing(consentUrl)}`);
    const consentPage = await browser.open(consentUrl);
    const html = await consentPage.text();
    if (consentPage.status !== 200) throw new DemoJourneyError(`${step}: the consent page answered ${consentPage.status} ${html.slice(0, 200)}`);
    const allow = pressFormButton(html, consentUrl, user.name);
    const callbackUrl = DemoBrowser.redirectTarget(await browser.open(allow.action, allow.fields), allow.action, `${step}, allowing on the consent page`);
    const done = DemoBrowser.redirectTarget(await browser.open(callbackUrl), callbackUrl, `${step}, at the callback`);
    const outcome = new URLSearchParams(done.hash.split("?")[1] ?? "");
    if (outcome.get("pipedrive") !== "connected") throw new DemoJourneyError(`${step}: the callback ended on ${landing(done)}`);
  }

  /** The Owner maps a Pipedrive user to a member, as the Integrations page's user table does. */
  async mapUser(session: string, user: DemoCrmUser, memberId: string): Promise<void> {
    const answer = await this.api("PUT", `/integrations/pipedrive/users/${user.id}`, session, { memberId });
    if (answer.status !== 200) throw new DemoJourneyError(`mapping ${user.name} (user ${user.id}): ${answer.status} ${answer.text}`);
  }

  /** Logs every session of the journey out (DELETE /sessions/current); a failure here only leaves a session to expire. */
  async signOutAll(): Promise<void> {
    for (const session of this.sessions.splice(0)) await this.api("DELETE", "/sessions/current", session).catch(() => undefined);
  }

  private async api(method: string, path: string, session: string | null, body?: unknown): Promise<{ status: number; body: unknown; text: string }> {
    const response = await fetch(`${this.listeningAt}${apiPrefix}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...(session ? { authorization: `Bearer ${session}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    }).catch((error: unknown) => {
      throw new DemoJourneyError(`${method} ${apiPrefix}${path} at ${this.listeningAt}: ${reasonOf(error)}`);
    });
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    return { status: response.status, body: parsed, text: text.slice(0, 300) };
  }
}

/** An address for a message: the console page's hash says what went wrong (e.g. `#/integrations?pipedrive=error&reason=denied`). */
const landing = (url: URL) => `${url.pathname}${url.search}${url.hash}`;

import { eq } from "drizzle-orm";
import { hubspotInstallations, members, users } from "../db/schema";
import { demoHubspotPortal, demoHubspotUsers } from "../demo-crm/hubspot/demo-portal";
import type { Services } from "../services";
import { demoEmail } from "./members";
import { demoPassword } from "./seed";

export type DemoHubspotConnectionOutcome = "connected" | "unchanged" | "skipped" | { failed: string };

/**
 * Connects the demo workspace to the demo HubSpot portal the way its Owner would, over HTTP
 * against this very server: sign in, Connect on the Integrations page (POST
 * /integrations/hubspot/connect), open the connect link (its browser cookie kept), pick the portal
 * as its super admin on HubSpot's install page, and follow HubSpot back to the callback. Nothing is
 * written into storage here: the server's own routes store the connection, encrypted, and write
 * the activity log. Runs on every start once the server listens (`localUrl` reaches it): a
 * workspace already connected to the demo portal is left alone (the portal's grants outlive a
 * restart, see demo-portal.ts), one whose connection HubSpot stopped accepting is connected again.
 * Does nothing unless the demo portal is this server's HubSpot app.
 */
export async function connectDemoWorkspaceToDemoHubspot(services: Services, localUrl: string): Promise<DemoHubspotConnectionOutcome> {
  const { config, database } = services;
  if (!config.hubspot.usesDemoPortal) return "skipped";
  const [owner] = await database.db
    .select({ workspaceId: members.workspaceId })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(eq(users.email, demoEmail("owner")));
  if (!owner) return "skipped";
  const installs = await database.db.select().from(hubspotInstallations);
  const ours = installs.find((row) => row.workspaceId === owner.workspaceId);
  // Someone connected another account (a real portal), or another workspace holds the demo one.
  if (ours && ours.hubId !== demoHubspotPortal.hubId) return "skipped";
  if (!ours && installs.some((row) => row.hubId === demoHubspotPortal.hubId)) return "skipped";
  if (ours?.status === "connected") return "unchanged";
  try {
    await installAsOwner(services, localUrl, demoPassword);
    return "connected";
  } catch (error) {
    const failed = error instanceof Error ? error.message : String(error);
    services.logger.warn({ failed }, "the demo workspace could not connect the demo HubSpot portal");
    return { failed };
  }
}

/** The install journey, hop by hop, as a browser makes it; throws with the hop that went wrong. */
async function installAsOwner(services: Services, localUrl: string, password: string): Promise<void> {
  const { publicUrl } = services.config;
  // Links name PUBLIC_URL, which may be a proxy in front; this process reaches itself at localUrl.
  const local = (url: string) => (url.startsWith(publicUrl) ? `${localUrl}${url.slice(publicUrl.length)}` : url);
  const expect = (response: Response, status: number, hop: string) => {
    if (response.status !== status) throw new Error(`${hop}: HTTP ${response.status}`);
  };
  const signIn = await fetch(`${localUrl}/api/v1/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: demoEmail("owner"), password }),
  });
  expect(signIn, 201, "the Owner's sign-in");
  const { token } = (await signIn.json()) as { token: string };
  const bearer = { authorization: `Bearer ${token}` };
  try {
    const connect = await fetch(`${localUrl}/api/v1/integrations/hubspot/connect`, { method: "POST", headers: bearer });
    expect(connect, 200, "Connect HubSpot");
    const { authorizeUrl } = (await connect.json()) as { authorizeUrl: string };
    const link = await fetch(local(authorizeUrl), { redirect: "manual" });
    expect(link, 302, "the connect link");
    const cookie = (link.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const installPageUrl = local(link.headers.get("location") ?? "");
    const installPage = await fetch(installPageUrl, { redirect: "manual" });
    expect(installPage, 200, "HubSpot's install page");
    const superAdmin = demoHubspotUsers.find((user) => user.superAdmin);
    const choice = [...(await installPage.text()).matchAll(/href="([^"]+)"/g)]
      .map((match) => (match[1] ?? "").replaceAll("&amp;", "&"))
      .find((href) => href.includes(`hub_id=${demoHubspotPortal.hubId}&user_id=${superAdmin?.userId}`));
    if (!choice) throw new Error("HubSpot's install page offers no choice of the demo account as its super admin");
    const decision = await fetch(new URL(choice, installPageUrl), { redirect: "manual" });
    expect(decision, 302, "the install decision");
    const callback = await fetch(local(decision.headers.get("location") ?? ""), { redirect: "manual", headers: { cookie } });
    expect(callback, 302, "HubSpot's callback");
    const landing = callback.headers.get("location") ?? "";
    if (!landing.includes("hubspot=connected")) throw new Error(`HubSpot's callback landed on ${landing}`);
  } finally {
    await fetch(`${localUrl}/api/v1/sessions/current`, { method: "DELETE", headers: bearer }).catch(() => undefined);
  }
}

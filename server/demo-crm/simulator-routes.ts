import { z } from "zod";
import { HttpProblem, notFound } from "../http/problem";
import { publicAccess, route } from "../http/route";
import { panelTokenTtlSeconds, signPanelToken } from "../pipedrive/panel-token";
import { demoCrmCompany, demoCrmOrganizations, demoCrmUsers } from "./company";
import { type DemoCrmStore, dealPersons, findDeal, findPerson, recordTimeline } from "./store";

const RecordQuery = z.strictObject({ resource: z.enum(["deal", "person"]), id: z.coerce.number().int().positive() });
const PanelTokenClaims = z.strictObject({ userId: z.number().int().positive(), companyId: z.number().int().positive() });

/**
 * What the CRM simulator's page shows when it imitates the demo CRM: the company's users to switch
 * between, the deal or person, and the notes and activities Switchboard wrote there. The page reads
 * them from here, so the simulator and the demo CRM never disagree. And the panel tokens the demo
 * CRM signs for its users, as Pipedrive signs for the iframe (the simulator never holds the secret).
 */
export const demoCrmSimulatorRoutes = [
  route({
    method: "get",
    path: "/dev/simulator/record",
    summary: "Development only: the demo CRM's deal or person, its users and the notes logged there, for the CRM simulator's page",
    tag: "Development",
    access: publicAccess("the CRM simulator's view of the demo CRM's made-up records; absent in production and when DEMO_CRM is off"),
    query: RecordQuery,
    responses: { 200: "{companyId, personas, record, startChatModalId, notes, activities}", 404: "In production, with the demo CRM off, or no such record" },
    async handler({ services, query }) {
      if (!services.config.demoCrm.enabled || !services.demoCrm) throw notFound("demo CRM");
      const record = simulatedRecord(query.resource, query.id);
      if (!record) throw notFound(query.resource);
      // The id the demo CRM's "Developer Hub" gave the start-chat modal: the simulator registers it.
      const startChatModalId = services.config.demoCrm.startChatModalId;
      return {
        status: 200,
        body: { companyId: demoCrmCompany.id, personas: personas(), record, startChatModalId, ...timeline(services.demoCrm, query.resource, query.id) },
      };
    },
  }),
  route({
    method: "post",
    path: "/dev/simulator/token",
    summary: "Development only: a panel token the demo CRM signs for one of its users, as Pipedrive signs the iframe's, for the CRM simulator",
    tag: "Development",
    access: publicAccess(
      "the demo CRM vouching for its own made-up users; exists only while the demo CRM is this server's Pipedrive app, so it never signs for a real company",
    ),
    body: PanelTokenClaims,
    auditExempt: "signs a short-lived token for the simulator; changes nothing",
    responses: {
      200: "{token}",
      403: "Not the demo CRM's company or one of its users",
      404: "In production, or when the Pipedrive app is not the demo CRM (PIPEDRIVE_CLIENT_ID set, or DEMO_CRM off)",
    },
    async handler({ services, body }) {
      // The secret is the Pipedrive app's: with an app of its own, a token signed here would be
      // Pipedrive's word for a real company's user.
      const secret = services.config.pipedrive.jwtSecret;
      if (!services.config.pipedrive.usesDemoCrm || !secret) throw notFound("endpoint");
      if (body.companyId !== demoCrmCompany.id || !demoCrmUsers.some((user) => user.id === body.userId)) {
        throw new HttpProblem(
          403,
          "permission_denied",
          "Not a demo CRM user",
          `The demo CRM signs only for its own company (${demoCrmCompany.id}) and users (${demoCrmUsers.map((user) => user.id).join(", ")}).`,
        );
      }
      return { status: 200, body: { token: await signPanelToken(secret, body, panelTokenTtlSeconds) } };
    },
  }),
];

const personas = () => demoCrmUsers.map((user) => ({ key: user.roleId, label: user.name, pipedriveUserId: user.id }));

function simulatedRecord(resource: "deal" | "person", id: number) {
  const deal = resource === "deal" ? findDeal(id) : null;
  const person = deal ? dealPersons(deal.id)[0] : resource === "person" ? findPerson(id) : null;
  if (!person || (resource === "deal" && !deal)) return null;
  const org = demoCrmOrganizations.find((candidate) => candidate.id === person.orgId);
  return {
    resource,
    id,
    title: deal?.title ?? person.name,
    value: deal ? { amount: deal.value, currency: deal.currency } : null,
    stage: deal?.stage ?? null,
    person: { name: person.name, org: org?.name ?? null, phones: person.phones.map(({ label, value }) => ({ label, value })) },
  };
}

function timeline(store: DemoCrmStore, resource: "deal" | "person", id: number) {
  const authorName = (userId: number) => demoCrmUsers.find((user) => user.id === userId)?.name ?? `User ${userId}`;
  const { notes, activities } = recordTimeline(store, resource, id);
  return {
    notes: notes.map((note) => ({
      id: note.id,
      author: authorName(note.userId),
      html: note.content,
      onDeal: note.dealId,
      updatedAt: note.updateTime.toISOString(),
    })),
    activities: activities.map((activity) => ({
      id: activity.id,
      subject: activity.subject,
      owner: authorName(activity.ownerId),
      done: activity.done,
      html: activity.note ?? "",
      updatedAt: activity.updateTime.toISOString(),
    })),
  };
}

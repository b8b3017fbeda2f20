import { z } from "zod";
import { notFound } from "../http/problem";
import { publicAccess, route } from "../http/route";
import { demoCrmCompany, demoCrmOrganizations, demoCrmUsers } from "./company";
import { type DemoCrmStore, dealPersons, findDeal, findPerson, recordTimeline } from "./store";

const RecordQuery = z.strictObject({ resource: z.enum(["deal", "person"]), id: z.coerce.number().int().positive() });

/**
 * What the CRM simulator's page shows when it imitates the demo CRM: the company's users to switch
 * between, the deal or person, and the notes and activities Switchboard wrote there. The page reads
 * them from here, so the simulator and the demo CRM never disagree.
 */
export const demoCrmSimulatorRoutes = [
  route({
    method: "get",
    path: "/dev/simulator/record",
    summary: "Development only: the demo CRM's deal or person, its users and the notes logged there, for the CRM simulator's page",
    tag: "Development",
    access: publicAccess("the CRM simulator's view of the demo CRM's made-up records; absent in production and when DEMO_CRM is off"),
    query: RecordQuery,
    responses: { 200: "{companyId, personas, record, notes, activities}", 404: "In production, with the demo CRM off, or no such record" },
    async handler({ services, query }) {
      if (!services.config.demoCrm.enabled || !services.demoCrm) throw notFound("demo CRM");
      const record = simulatedRecord(query.resource, query.id);
      if (!record) throw notFound(query.resource);
      return { status: 200, body: { companyId: demoCrmCompany.id, personas: personas(), record, ...timeline(services.demoCrm, query.resource, query.id) } };
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

import { type DemoCrmDeal, type DemoCrmPerson, type DemoCrmUser, demoCrmCompany, demoCrmOrganizations, demoCrmUsers } from "./company";
import { presentParticipants } from "./contract/activities";
import type { DemoCrmActivity, DemoCrmNote } from "./store";
import { findDeal, findPerson } from "./store";

// Pipedrive's response shapes (shared/reference/pipedrive.md §6): `{success, data}`, API v1 times
// as `YYYY-MM-DD HH:MM:SS` (UTC), API v2 times as ISO 8601.

const createdAt = new Date("2026-01-05T09:00:00Z");

export const v1Time = (date: Date) => date.toISOString().slice(0, 19).replace("T", " ");
const v2Time = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");

export function presentMe(user: DemoCrmUser) {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    company_id: demoCrmCompany.id,
    company_domain: demoCrmCompany.domain,
    company_name: demoCrmCompany.name,
    is_admin: user.isAdmin,
    locale: "en_US",
    timezone_name: "Europe/London",
    default_currency: "EUR",
    active_flag: true,
    is_you: true,
  };
}

export function presentUsers(me: DemoCrmUser) {
  return demoCrmUsers.map((user) => ({
    id: user.id,
    name: user.name,
    email: user.email,
    active_flag: true,
    is_admin: user.isAdmin ? 1 : 0,
    is_you: user.id === me.id,
  }));
}

export function presentDeal(deal: DemoCrmDeal) {
  return {
    id: deal.id,
    title: deal.title,
    status: deal.status,
    value: deal.value,
    currency: deal.currency,
    person_id: deal.personId,
    org_id: deal.orgId,
    owner_id: deal.ownerId,
    pipeline_id: 1,
    stage_id: 3,
    visible_to: 3,
    is_deleted: false,
    add_time: v2Time(createdAt),
    update_time: v2Time(createdAt),
    custom_fields: {},
  };
}

export function presentPerson(person: DemoCrmPerson) {
  const [firstName = "", ...rest] = person.name.split(" ");
  return {
    id: person.id,
    name: person.name,
    first_name: firstName,
    last_name: rest.join(" "),
    org_id: person.orgId,
    owner_id: 101,
    phones: person.phones,
    emails: person.emails.map((value, index) => ({ value, label: "work", primary: index === 0 })),
    add_time: v2Time(createdAt),
    update_time: v2Time(createdAt),
    is_deleted: false,
    visible_to: 3,
    label_ids: [],
    custom_fields: {},
  };
}

export function presentSearchItem(person: DemoCrmPerson) {
  const organization = demoCrmOrganizations.find((org) => org.id === person.orgId);
  return {
    result_score: 1,
    item: {
      id: person.id,
      type: "person",
      name: person.name,
      phones: person.phones.map((phone) => phone.value),
      emails: person.emails,
      visible_to: 3,
      owner: { id: 101 },
      organization: organization ? { id: organization.id, name: organization.name, address: null } : null,
      custom_fields: [],
      notes: [],
    },
  };
}

export function presentNote(note: DemoCrmNote, caller: DemoCrmUser) {
  const author = demoCrmUsers.find((user) => user.id === note.userId);
  return {
    id: note.id,
    content: note.content,
    deal_id: note.dealId,
    person_id: note.personId,
    org_id: note.orgId,
    lead_id: null,
    user_id: note.userId,
    pinned_to_deal_flag: note.pinnedToDeal,
    active_flag: true,
    add_time: v1Time(note.addTime),
    update_time: v1Time(note.updateTime),
    deal: note.dealId === null ? null : { title: findDeal(note.dealId)?.title ?? "" },
    person: note.personId === null ? null : { name: findPerson(note.personId)?.name ?? "" },
    organization: null,
    user: author ? { email: author.email, name: author.name, icon_url: null, is_you: author.id === caller.id } : null,
  };
}

export function presentActivity(activity: DemoCrmActivity) {
  return {
    id: activity.id,
    subject: activity.subject,
    type: activity.type,
    deal_id: activity.dealId,
    person_id: activity.personId,
    participants: presentParticipants(activity.participants),
    org_id: activity.orgId,
    owner_id: activity.ownerId,
    due_date: activity.dueDate,
    due_time: activity.dueTime,
    duration: activity.duration,
    done: activity.done,
    note: activity.note,
    add_time: v2Time(activity.addTime),
    update_time: v2Time(activity.updateTime),
  };
}

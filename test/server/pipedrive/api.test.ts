import { findPersonsByPhone, getDealWithPersons, getPersonWithPhones, searchPersons } from "../../../server/pipedrive/api";
import { createPipedriveConnector, type PipedriveClient } from "../../../server/pipedrive/client";
import { createActivity, createNote, updateActivity, updateNote } from "../../../server/pipedrive/crm-log";
import { PipedriveError, PipedriveRateLimited } from "../../../server/pipedrive/errors";
import { type FakePipedrive, startFakePipedrive } from "../../fakes/pipedrive";
import { failOnContractRefusals } from "../../support/pipedrive-contract";
import { appFor, installedConnection, recordingTokenStore } from "./support";

let fake: FakePipedrive;
let client: PipedriveClient;
failOnContractRefusals(() => fake);
beforeAll(async () => {
  fake = await startFakePipedrive();
});
afterAll(() => fake.close());
beforeEach(async () => {
  fake.reset();
  const connector = createPipedriveConnector({ app: appFor(fake), saveTokens: recordingTokenStore().saveTokens });
  client = await connector.getClient(await installedConnection(fake));
});

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (error: unknown) => error,
  );
}

function seedDeal() {
  const contact = fake.addPerson({
    name: "Grace Hopper",
    org_id: 7,
    phones: [
      { value: "+1 (555) 555-0172", label: "mobile", primary: true },
      { value: "020 7946 0958", label: "work", primary: false },
      { value: "ask reception", label: "other", primary: false },
    ],
    emails: [{ value: "grace@navy.test", label: "work", primary: true }],
  });
  const participant = fake.addPerson({ name: "Alan Turing", phones: [{ value: "0044 161 496 0000", label: "home", primary: true }] });
  fake.addPerson({ name: "Unrelated Person", phones: [{ value: "+15555550199", label: "mobile", primary: true }] });
  const deal = fake.addDeal({ title: "Fleet software", value: 5000, currency: "USD", person_id: contact.id, org_id: 7, participant_ids: [participant.id] });
  return { contact, participant, deal };
}

describe("reading for the panel", () => {
  it("gets a deal with its contact person first and every phone in E.164", async () => {
    const { contact, participant, deal } = seedDeal();

    const result = await getDealWithPersons(client, deal.id, { defaultRegion: "GB" });

    expect(result).toEqual({
      deal: { id: deal.id, title: "Fleet software", status: "open", value: 5000, currency: "USD", personId: contact.id, orgId: 7, ownerId: 12345 },
      persons: [
        {
          id: contact.id,
          name: "Grace Hopper",
          orgId: 7,
          phones: [
            { raw: "+1 (555) 555-0172", e164: "+15555550172", label: "mobile", primary: true },
            { raw: "020 7946 0958", e164: "+442079460958", label: "work", primary: false },
            { raw: "ask reception", e164: null, label: "other", primary: false },
          ],
          emails: ["grace@navy.test"],
        },
        {
          id: participant.id,
          name: "Alan Turing",
          orgId: null,
          phones: [{ raw: "0044 161 496 0000", e164: "+441614960000", label: "home", primary: true }],
          emails: [],
        },
      ],
    });
    expect(fake.requests.map(({ method, path, query }) => ({ method, path, query }))).toEqual([
      { method: "GET", path: `/api/v2/deals/${deal.id}`, query: {} },
      { method: "GET", path: "/api/v2/persons", query: { deal_id: String(deal.id) } },
    ]);
  });

  it("reads every page of a deal's persons: v2 lists page by cursor, 100 to a page unless asked", async () => {
    const contact = fake.addPerson({ name: "Contact Person" });
    const participants = Array.from({ length: 120 }, (_, index) => fake.addPerson({ name: `Participant ${index}` }));
    const deal = fake.addDeal({ title: "Conference", person_id: contact.id, participant_ids: participants.map((person) => person.id) });

    const result = await getDealWithPersons(client, deal.id);

    expect(result.persons).toHaveLength(121);
    expect(result.persons[0]?.id).toBe(contact.id);
    expect(new Set(result.persons.map((person) => person.id))).toEqual(new Set([contact.id, ...participants.map((person) => person.id)]));
    const pages = fake.requests.filter((request) => request.path === "/api/v2/persons");
    expect(pages.map((request) => request.query)).toEqual([{ deal_id: String(deal.id) }, { deal_id: String(deal.id), cursor: expect.any(String) }]);
  });

  it("leaves national numbers unnormalized when no region is known", async () => {
    const { contact } = seedDeal();
    const person = await getPersonWithPhones(client, contact.id);
    expect(person.phones.map((phone) => phone.e164)).toEqual(["+15555550172", null, null]);
    expect(fake.requests.map((request) => request.path)).toEqual([`/api/v2/persons/${contact.id}`]);
  });

  it("reports a missing deal as not_found", async () => {
    const failure = await rejectionOf(getDealWithPersons(client, 424242));
    expect(failure).toBeInstanceOf(PipedriveError);
    expect(failure).toMatchObject({ reason: "not_found", httpStatus: 404 });
  });
});

describe("person search", () => {
  it("finds the person behind a WhatsApp number however it was typed, and no one else", async () => {
    const { contact } = seedDeal();
    fake.addPerson({ name: "Shares a suffix", phones: [{ value: "+44 5555 550172", label: "mobile", primary: true }] });

    const matches = await findPersonsByPhone(client, "+15555550172");

    expect(matches).toEqual([
      {
        id: contact.id,
        name: "Grace Hopper",
        orgName: "Org 7",
        phones: [
          { raw: "+1 (555) 555-0172", e164: "+15555550172", label: null, primary: false },
          { raw: "020 7946 0958", e164: null, label: null, primary: false },
          { raw: "ask reception", e164: null, label: null, primary: false },
        ],
        score: 1,
      },
    ]);
    expect(fake.requests.map(({ path, query }) => ({ path, query }))).toEqual([
      { path: "/api/v2/persons/search", query: { term: "5555550172", fields: "phone" } },
    ]);
  });

  it("reads every page of matches (Pipedrive pages search results by cursor), up to five pages", async () => {
    // 130 people share the number, written three ways: more than one page of 100.
    const writings = ["+1 (555) 555-0172", "+1 555-555-0172", "+15555550172"];
    const people = Array.from({ length: 130 }, (_unused, index) =>
      fake.addPerson({ name: `Caller ${index}`, phones: [{ value: writings[index % 3] as string, label: "mobile", primary: true }] }),
    );

    const matches = await findPersonsByPhone(client, "+15555550172");

    expect(matches.map((match) => match.id)).toEqual(people.map((person) => person.id));
    const searches = fake.requests.filter((request) => request.path === "/api/v2/persons/search");
    expect(searches).toHaveLength(2);
    expect(searches[0]?.query).toEqual({ term: "5555550172", fields: "phone" });
    expect(searches[1]?.query).toMatchObject({ term: "5555550172", fields: "phone", cursor: expect.any(String) });
  });

  it("stops after five pages of matches (500 people) rather than reading on", async () => {
    for (let index = 0; index < 620; index++) fake.addPerson({ name: `Caller ${index}`, phones: [{ value: "+15555550172", label: "mobile", primary: true }] });

    const matches = await findPersonsByPhone(client, "+15555550172");

    expect(matches).toHaveLength(500);
    expect(fake.requests.filter((request) => request.path === "/api/v2/persons/search")).toHaveLength(5);
  });

  it("searches by name", async () => {
    seedDeal();
    const matches = await searchPersons(client, "hopper", { fields: "name" });
    expect(matches.map((match) => match.name)).toEqual(["Grace Hopper"]);
  });

  it("surfaces Pipedrive's refusal of a too-short term as invalid_request", async () => {
    const failure = await rejectionOf(searchPersons(client, "a"));
    expect(failure).toMatchObject({ reason: "invalid_request", httpStatus: 400 });
    // Sent on purpose: the fake's schema refused it.
    expect(fake.takeContractRefusals()).toMatchObject([{ kind: "schema", path: "/api/v2/persons/search", status: 400 }]);
  });
});

describe("logging to the CRM", () => {
  it("creates a note on a deal and person, then rewrites it", async () => {
    const { contact, deal } = seedDeal();

    const created = await createNote(client, {
      content: "<p>WhatsApp: Hello!</p>",
      dealId: deal.id,
      personId: contact.id,
      pinnedToDeal: true,
      addedAt: new Date("2026-07-10T12:34:56Z"),
    });
    expect(fake.requests.at(-1)).toMatchObject({
      method: "POST",
      path: "/api/v1/notes",
      contentType: "application/json",
      body: { content: "<p>WhatsApp: Hello!</p>", deal_id: deal.id, person_id: contact.id, pinned_to_deal_flag: 1, add_time: "2026-07-10 12:34:56" },
    });

    const updated = await updateNote(client, created.id, { content: "<p>WhatsApp: Hello!</p><p>Hi, Grace here.</p>" });
    expect(updated).toEqual(created);
    expect(fake.requests.at(-1)).toMatchObject({ method: "PUT", path: `/api/v1/notes/${created.id}` });
    expect(fake.notes).toEqual([
      expect.objectContaining({
        id: created.id,
        content: "<p>WhatsApp: Hello!</p><p>Hi, Grace here.</p>",
        deal_id: deal.id,
        person_id: contact.id,
        pinned_to_deal_flag: true,
        add_time: "2026-07-10 12:34:56",
      }),
    ]);
  });

  it("moves a note to another deal", async () => {
    const { contact, deal } = seedDeal();
    const otherDeal = fake.addDeal({ title: "Second deal", person_id: contact.id });
    const note = await createNote(client, { content: "Chat", dealId: deal.id });
    await updateNote(client, note.id, { dealId: otherDeal.id });
    expect(fake.notes[0]).toMatchObject({ deal_id: otherDeal.id, content: "Chat" });
  });

  it("refuses a note with nothing to hang on before calling Pipedrive", async () => {
    await expect(createNote(client, { content: "Orphan" })).rejects.toThrow(RangeError);
    expect(fake.requests).toEqual([]);
  });

  it("creates a done activity on the deal and updates it", async () => {
    const { contact, deal } = seedDeal();

    const activity = await createActivity(client, {
      subject: "WhatsApp conversation",
      type: "call",
      dealId: deal.id,
      personId: contact.id,
      dueAt: new Date("2026-07-10T09:05:00Z"),
      durationMinutes: 75,
      done: true,
      note: "3 messages",
    });
    expect(fake.requests.at(-1)).toMatchObject({
      method: "POST",
      path: "/api/v2/activities",
      body: {
        subject: "WhatsApp conversation",
        type: "call",
        deal_id: deal.id,
        participants: [{ person_id: contact.id, primary: true }],
        due_date: "2026-07-10",
        due_time: "09:05",
        duration: "01:15",
        done: true,
        note: "3 messages",
      },
    });

    await updateActivity(client, activity.id, { note: "5 messages" });
    expect(fake.requests.at(-1)).toMatchObject({ method: "PATCH", path: `/api/v2/activities/${activity.id}`, body: { note: "5 messages" } });
    expect(fake.requests.at(-2)?.body).not.toHaveProperty("person_id");
    expect(fake.activities).toEqual([
      expect.objectContaining({ id: activity.id, subject: "WhatsApp conversation", note: "5 messages", done: true, person_id: contact.id }),
    ]);
  });
});

describe("rate limits", () => {
  it("turns a 429 into PipedriveRateLimited with the Retry-After delay", async () => {
    const { deal } = seedDeal();
    fake.failNext({ status: 429, retryAfterSeconds: 7, rateLimitResetSeconds: 2 });

    const failure = await rejectionOf(createNote(client, { content: "Chat", dealId: deal.id }));

    expect(failure).toBeInstanceOf(PipedriveRateLimited);
    expect(failure).toMatchObject({ reason: "rate_limited", httpStatus: 429, retryAfterMs: 7000 });
    expect(fake.notes).toEqual([]);
    // Not retried here: the caller's job queue owns retries.
    expect(fake.requests.filter((request) => request.path === "/api/v1/notes")).toHaveLength(1);
  });

  it("falls back to x-ratelimit-reset when there is no Retry-After", async () => {
    const { deal } = seedDeal();
    fake.failNext({ status: 429, rateLimitResetSeconds: 3 });
    const failure = await rejectionOf(getDealWithPersons(client, deal.id));
    expect(failure).toMatchObject({ reason: "rate_limited", retryAfterMs: 3000 });
  });

  it("reports a dropped connection as unreachable", async () => {
    const { deal } = seedDeal();
    fake.failNext({ dropConnection: true });
    const failure = await rejectionOf(getDealWithPersons(client, deal.id));
    expect(failure).toMatchObject({ reason: "unreachable", httpStatus: null });
  });
});

import { entrySentence, type RecordNames } from "../../../../extension/console/activity/entry-sentence";
import type { AuditEntry } from "../../../../extension/console/api/types";

// The activity log's sentence for workspace.update (extension/console/activity/entry-sentence.ts):
// PATCH /workspace logs only the settings it changed, so the sentence names each of them.

const names: RecordNames = { member: () => undefined, role: () => undefined, account: () => undefined };
const workspaceUpdate = (details: unknown): AuditEntry => ({
  id: "log_1",
  at: "2026-12-05T21:00:00.000Z",
  actorId: "mem_admin",
  action: "workspace.update",
  targetType: "workspace",
  targetId: "ws_1",
  ip: null,
  details,
});

describe("the sentence of a message.delete entry (its retained copy)", () => {
  const messageDelete = (message: unknown): AuditEntry => ({ ...workspaceUpdate(null), action: "message.delete", targetType: "message", details: { message } });
  it.each([
    [{ direction: "in", text: "My card is 4111 1111 1111 1111" }, "Ada deleted a customer's message: “My card is 4111 1111 1111 1111”."],
    [{ direction: "out", text: "Wrong price" }, "Ada deleted a message: “Wrong price”."],
    [{ direction: "out", text: "x".repeat(100) }, `Ada deleted a message: “${"x".repeat(79)}…”.`],
    [{ direction: "in", text: "" }, "Ada deleted a customer's message."],
    [null, "Ada deleted a message."],
  ])("%j", (message, sentence) => {
    expect(entrySentence(messageDelete(message), "Ada", names)).toBe(sentence);
  });
});

describe("the sentence of a workspace.update entry", () => {
  it.each([
    [{ before: { defaultCountry: null }, after: { defaultCountry: "GB" } }, "Ada set the default country of typed phone numbers to GB."],
    [{ before: { defaultCountry: "GB" }, after: { defaultCountry: null } }, "Ada cleared the default country of typed phone numbers."],
    [{ before: { agentsSeeNumbers: true }, after: { agentsSeeNumbers: false } }, "Ada masked contacts' numbers for Agents and Collaborators."],
    [{ before: { agentsSeeNumbers: false }, after: { agentsSeeNumbers: true } }, "Ada let Agents and Collaborators see contacts' full numbers."],
    [{ before: { ownershipLock: false }, after: { ownershipLock: true } }, "Ada turned the ownership lock on."],
    [{ before: { ownershipLock: true }, after: { ownershipLock: false } }, "Ada turned the ownership lock off."],
    [
      { before: { agentsSeeNumbers: true, ownershipLock: false }, after: { agentsSeeNumbers: false, ownershipLock: true } },
      "Ada masked contacts' numbers for Agents and Collaborators and turned the ownership lock on.",
    ],
    [{ before: {}, after: { somethingNew: 1 } }, "Ada changed the workspace settings."],
    [null, "Ada changed the workspace settings."],
  ])("%j", (details, sentence) => {
    expect(entrySentence(workspaceUpdate(details), "Ada", names)).toBe(sentence);
  });
});

describe("the sentence of a chat.take_over_request entry", () => {
  const request = (details: unknown): AuditEntry => ({ ...workspaceUpdate(null), action: "chat.take_over_request", targetType: "chat", details });
  const known: RecordNames = { ...names, member: (id) => (id === "mem_ana" ? "Ana Lima" : undefined) };
  it.each([
    [{ requestId: "tor_1", heldBy: "mem_ana", notified: ["mem_ana"] }, "Ada asked to take over a chat held by Ana Lima."],
    [{ requestId: "tor_1", heldBy: "mem_gone", notified: [] }, "Ada asked to take over a chat held by a teammate."],
    [null, "Ada asked to take over a chat."],
  ])("%j", (details, sentence) => {
    expect(entrySentence(request(details), "Ada", known)).toBe(sentence);
  });
});

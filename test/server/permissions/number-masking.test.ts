import { describe, expect, it } from "vitest";
import { type Actor, builtinPermissions, maskNumbersIn, presentText } from "../../../server/permissions";

function agent(agentsSeeNumbers: boolean): Actor {
  return {
    workspaceId: "w",
    memberId: "m",
    roleId: "agent",
    roleName: "Agent",
    status: "active",
    permissions: builtinPermissions("agent", { agentsSeeNumbers }),
    ownershipLock: false,
  };
}

describe("masking numbers inside stored JSON (activity-log details, webhook payloads)", () => {
  it("masks strings and lists under the keys that hold contacts' numbers, at any depth, and nothing else", () => {
    const stored = {
      accountId: "wa_1",
      phone: "+4915173918264",
      chat: { contact: { id: "ct_1", phone: "+4915173918264", name: "Carla" }, contactPhone: "+447700900123" },
      message: { text: "Call me", contacts: [{ name: "Dora", phones: ["+4917687345129", "+14155550134"] }], wa_id: "4915173918264" },
      account: { phoneNumber: "+15550108001" },
      count: 3,
      phoneless: null,
    };
    expect(maskNumbersIn(stored)).toEqual({
      accountId: "wa_1",
      phone: "+49 ••• ••• 64",
      chat: { contact: { id: "ct_1", phone: "+49 ••• ••• 64", name: "Carla" }, contactPhone: "+44 ••• ••• 23" },
      message: { text: "Call me", contacts: [{ name: "Dora", phones: ["+49 ••• ••• 29", "+1 ••• ••• 34"] }], wa_id: "+49 ••• ••• 64" },
      // The workspace's own line is not a contact's number.
      account: { phoneNumber: "+15550108001" },
      count: 3,
      phoneless: null,
    });
    // The stored value itself is left as it was.
    expect(stored.phone).toBe("+4915173918264");
  });
});

describe("masking numbers inside a sentence (error details)", () => {
  it.each([
    ["Message undeliverable to 4915173918264", "Message undeliverable to +49 ••• ••• 64"],
    ["Recipient +49 151 7391 8264 is not on WhatsApp", "Recipient +49 ••• ••• 64 is not on WhatsApp"],
    ["(#131026) Receiver is incapable of receiving this message", "(#131026) Receiver is incapable of receiving this message"],
    ["Rate limit hit at 2026-12-05", "Rate limit hit at 2026-12-05"],
  ])("%s → %s for a member without contacts.view_numbers", (text, shown) => {
    expect(presentText(agent(false), text)).toBe(shown);
    expect(presentText(agent(true), text)).toBe(text);
  });

  it("leaves no null behind", () => {
    expect(presentText(agent(false), null)).toBeNull();
  });
});

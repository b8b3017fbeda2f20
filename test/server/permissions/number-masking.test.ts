import { describe, expect, it } from "vitest";
import { type Actor, builtinPermissions, maskNumbersIn, maskPhone, presentPhone, presentText } from "../../../server/permissions";

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

describe("masked numbers", () => {
  it("keeps the country code and the last two digits only", () => {
    expect(maskPhone("+4915112345612")).toBe("+49 ••• ••• 12");
    expect(maskPhone("4915112345612")).toBe("+49 ••• ••• 12");
    expect(maskPhone("+1 (415) 555-0134")).toBe("+1 ••• ••• 34");
    expect(maskPhone("12")).toBe("••• ••• 12");
  });

  it("never leaves more than two digits of the subscriber number", () => {
    for (const phone of ["+447700900123", "+8613800138000", "+35312345678", "+9999999999999"]) {
      const masked = maskPhone(phone);
      const digits = masked.replace(/\D/g, "");
      expect(digits.length).toBeLessThanOrEqual(5);
      expect(masked.endsWith(phone.slice(-2))).toBe(true);
    }
  });

  it("shows the full number only to members holding contacts.view_numbers", () => {
    expect(presentPhone(agent(true), "+4915112345612")).toBe("+4915112345612");
    expect(presentPhone(agent(false), "+4915112345612")).toBe("+49 ••• ••• 12");
    expect(presentPhone({ ...agent(true), status: "suspended" }, "+4915112345612")).toBe("+49 ••• ••• 12");
    expect(presentPhone(agent(false), null)).toBeNull();
  });
});

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

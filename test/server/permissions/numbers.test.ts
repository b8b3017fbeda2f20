import { describe, expect, it } from "vitest";
import { type Actor, builtinPermissions, maskPhone, presentPhone } from "../../../server/permissions";

function actor(agentsSeeNumbers: boolean): Actor {
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
    expect(presentPhone(actor(true), "+4915112345612")).toBe("+4915112345612");
    expect(presentPhone(actor(false), "+4915112345612")).toBe("+49 ••• ••• 12");
    expect(presentPhone({ ...actor(true), status: "suspended" }, "+4915112345612")).toBe("+49 ••• ••• 12");
    expect(presentPhone(actor(false), null)).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { issuePhoneRef, phoneRefKey, phoneRefLifetimeMs, presentRecordPhone, readPhoneRef } from "../../../server/crm/record-phones";
import { type Actor, builtinPermissions } from "../../../server/permissions";

const key = phoneRefKey(Buffer.alloc(32, 7));
const number = "+4915173918264";

function member(memberId: string, agentsSeeNumbers = false, workspaceId = "ws_a"): Actor {
  return {
    workspaceId,
    memberId,
    roleId: "agent",
    roleName: "Agent",
    status: "active",
    permissions: builtinPermissions("agent", { agentsSeeNumbers }),
    ownershipLock: false,
  };
}

describe("a CRM record's phone refs", () => {
  it("stand for the number for the member they were given to, until they expire", () => {
    const agnes = member("mem_agnes");
    const now = Date.now();
    const ref = issuePhoneRef(key, agnes, number, now);
    expect(readPhoneRef(key, agnes, ref, now + 1000)).toBe(number);
    expect(readPhoneRef(key, agnes, ref, now + phoneRefLifetimeMs + 1)).toBeNull();
  });

  it("are opaque: never the same twice, no digits of the number in them", () => {
    const agnes = member("mem_agnes");
    const refs = [issuePhoneRef(key, agnes, number), issuePhoneRef(key, agnes, number)];
    expect(refs[0]).not.toBe(refs[1]);
    for (const ref of refs) {
      expect(ref).not.toContain("15173918264".slice(0, 5));
      expect(Buffer.from(ref.split(".").at(-1) ?? "", "base64url").toString("latin1")).not.toContain("7391");
    }
  });

  it.each([
    ["another member", (ref: string) => readPhoneRef(key, member("mem_other"), ref)],
    ["the same member id in another workspace", (ref: string) => readPhoneRef(key, member("mem_agnes", false, "ws_b"), ref)],
    ["another key", (ref: string) => readPhoneRef(phoneRefKey(Buffer.alloc(32, 8)), member("mem_agnes"), ref)],
    ["an altered ref", (ref: string) => readPhoneRef(key, member("mem_agnes"), `${ref.slice(0, -2)}AA`)],
    ["no ref at all", () => readPhoneRef(key, member("mem_agnes"), "+4915173918264")],
  ])("read by %s: null", (_name, read) => {
    expect(read(issuePhoneRef(key, member("mem_agnes"), number))).toBeNull();
  });
});

describe("a CRM record's phone as a panel shows it", () => {
  it("in full with contacts.view_numbers; masked (e164 and raw) without; a ref either way when WhatsApp can reach it", () => {
    const phone = { e164: number, label: "mobile", raw: "+49 151 7391 8264" };
    expect(presentRecordPhone(key, member("mem_sees", true), phone)).toEqual({ ...phone, ref: expect.stringMatching(/^pref\./) });
    const masked = presentRecordPhone(key, member("mem_masked"), phone);
    expect(masked).toEqual({ e164: "+49 ••• ••• 64", label: "mobile", raw: "+49 ••• ••• 64", ref: expect.stringMatching(/^pref\./) });
    expect(readPhoneRef(key, member("mem_masked"), masked.ref ?? "")).toBe(number);
    expect(presentRecordPhone(key, member("mem_masked"), { e164: null, label: "work", raw: "ask 0151 7391 8264" })).toEqual({
      e164: null,
      label: "work",
      raw: "••• ••• 64",
      ref: null,
    });
  });
});

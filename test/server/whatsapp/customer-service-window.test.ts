import { customerServiceWindowMs, onlyTemplateAllowed, windowClosesAt, windowIsOpen } from "../../../server/whatsapp/customer-service-window";
import { pickerChoices, positionalParameterCount, templateReview } from "../../../server/whatsapp/template-review";

// The rules the server enforces and both UIs show, in one place each.
describe("the 24-hour customer-service window", () => {
  const receivedAt = new Date("2026-12-01T10:00:00.000Z");
  const closesAt = windowClosesAt(receivedAt);

  it("closes 24 hours after the customer's message", () => {
    expect(closesAt.toISOString()).toBe("2026-12-02T10:00:00.000Z");
    expect(customerServiceWindowMs).toBe(86_400_000);
  });

  it.each([
    ["a millisecond before it closes", true, closesAt.getTime() - 1],
    ["the moment it closes", false, closesAt.getTime()],
    ["a day later", false, closesAt.getTime() + customerServiceWindowMs],
  ])("%s, open is %s", (_when, open, now) => {
    expect(windowIsOpen(closesAt, now)).toBe(open);
    expect(windowIsOpen(closesAt.toISOString(), now)).toBe(open);
    expect(onlyTemplateAllowed({ windowOpenUntil: closesAt.toISOString() }, now)).toBe(!open);
  });

  it("is closed for a chat the customer never wrote in, and for a chat that does not exist yet", () => {
    expect(onlyTemplateAllowed({ windowOpenUntil: null })).toBe(true);
    expect(onlyTemplateAllowed(undefined)).toBe(true);
  });
});

describe("a template's review", () => {
  it.each([
    [
      { source: "meta" as const, metaStatus: "APPROVED" },
      { sendable: true, label: "approved" },
    ],
    [
      { source: "meta" as const, metaStatus: "PENDING" },
      { sendable: false, label: "pending" },
    ],
    [
      { source: "meta" as const, metaStatus: "REJECTED" },
      { sendable: false, label: "rejected" },
    ],
    [
      { source: "meta" as const, metaStatus: "PAUSED" },
      { sendable: false, label: "paused" },
    ],
    [
      { source: "local" as const, metaStatus: null },
      { sendable: true, label: "approved" },
    ],
  ])("%o → %o", (template, review) => expect(templateReview(template)).toEqual(review));

  it("counts positional parameters by the highest position", () => {
    expect([positionalParameterCount("Hi"), positionalParameterCount("Hi {{1}}, order {{2}}"), positionalParameterCount("{{ 3 }} {{1}}")]).toEqual([0, 2, 3]);
  });

  it("offers the sendable first, by name, and only templates that name a WhatsApp template", () => {
    const named = (metaTemplateName: string | null, metaStatus: string) => ({ source: "meta" as const, metaStatus, metaTemplateName, metaLanguage: "en_US" });
    const choices = pickerChoices([named("win_back", "REJECTED"), named("order_update", "APPROVED"), named(null, "APPROVED"), named("follow_up", "APPROVED")]);
    expect(choices.map((template) => template.metaTemplateName)).toEqual(["follow_up", "order_update", "win_back"]);
  });
});

import { acceptedChanges, maxCandidatePhoneNumberIds, phoneNumberIdsOf, scanPhoneNumberIds } from "../../../server/whatsapp/webhook-entries";
import { inboundTextWebhook } from "../../fakes/whatsapp-webhooks";

const twoEntries = {
  object: "whatsapp_business_account",
  entry: [
    ...inboundTextWebhook({ phoneNumberId: "111111", wabaId: "900001", from: { phone: "16505551234" }, body: "mine" }).entry,
    ...inboundTextWebhook({ phoneNumberId: "222222", wabaId: "900002", from: { phone: "16505551234" }, body: "theirs" }).entry,
  ],
};

describe("scanPhoneNumberIds (unverified bodies)", () => {
  it("finds the phone_number_ids of every entry, pretty-printed or not", () => {
    expect(scanPhoneNumberIds(JSON.stringify(twoEntries))).toEqual(["111111", "222222"]);
    expect(scanPhoneNumberIds(JSON.stringify(twoEntries, null, 2))).toEqual(["111111", "222222"]);
  });

  it("is not fooled by the key inside a customer's text (quotes there are escaped)", () => {
    const payload = inboundTextWebhook({ phoneNumberId: "111111", from: { phone: "16505551234" }, body: '"phone_number_id": "333333"' });
    expect(scanPhoneNumberIds(JSON.stringify(payload))).toEqual(["111111"]);
  });

  it(`stops at ${maxCandidatePhoneNumberIds} distinct ids`, () => {
    const many = Array.from({ length: maxCandidatePhoneNumberIds + 50 }, (_, index) => `{"phone_number_id":"${100000 + index}"}`).join(",");
    expect(scanPhoneNumberIds(`[${many}]`)).toHaveLength(maxCandidatePhoneNumberIds);
  });
});

describe("acceptedChanges", () => {
  it("keeps the changes whose account vouches for them and reports the others by phone_number_id and entry", () => {
    const { body, dropped } = acceptedChanges(twoEntries, (phoneNumberId) => phoneNumberId === "111111");
    expect(phoneNumberIdsOf(body)).toEqual(["111111"]);
    expect(JSON.stringify(body)).not.toContain("theirs");
    expect(dropped).toEqual([{ phoneNumberId: "222222", entryId: "900002" }]);
  });

  it("drops changes that name no phone_number_id, and survives bodies of the wrong shape", () => {
    const accountUpdate = { object: "whatsapp_business_account", entry: [{ id: "900001", changes: [{ field: "account_update", value: { event: "X" } }] }] };
    expect(acceptedChanges(accountUpdate, () => true)).toEqual({ body: { object: "whatsapp_business_account", entry: [] }, dropped: [] });
    for (const odd of [null, 7, "text", { entry: "x" }, { entry: [null, { changes: [null] }] }]) {
      expect(acceptedChanges(odd, () => true).dropped).toEqual([]);
      expect(phoneNumberIdsOf(odd)).toEqual([]);
    }
  });
});

import { type ContactIdentity, type CountryCode, contactAliasesOf, contactKeyOf, e164ToWaId, normalizePhone, waIdToE164 } from "../../../server/whatsapp/phone";

describe("normalizePhone", () => {
  describe.each<{ input: string; defaultRegion?: CountryCode; expected: string | null }>([
    { input: "+1 555 123 4567", expected: "+15551234567" },
    { input: "+1-555-123-4567", expected: "+15551234567" },
    { input: "+1 (555) 123-4567", expected: "+15551234567" },
    { input: "  +44 20 7946 0958  ", expected: "+442079460958" },
    { input: "0044 20 7946 0958", expected: "+442079460958" },
    { input: "0049 30 901820", defaultRegion: "US", expected: "+4930901820" },
    { input: "011 44 20 7946 0958", defaultRegion: "US", expected: "+442079460958" },
    { input: "020 7946 0958", defaultRegion: "GB", expected: "+442079460958" },
    { input: "(415) 555-2671", defaultRegion: "US", expected: "+14155552671" },
    { input: "030 901820", defaultRegion: "DE", expected: "+4930901820" },
    { input: "+49 30 901820", defaultRegion: "US", expected: "+4930901820" },
    { input: "tel:+14155552671", expected: "+14155552671" },
    { input: "+1 555 123 4567 ext. 12", expected: "+15551234567" },
    { input: "(415) 555-2671", expected: null },
    { input: "020 7946 0958", expected: null },
    { input: "call me maybe", expected: null },
    { input: "", expected: null },
    { input: "+", expected: null },
    { input: "12", expected: null },
    { input: "+44 12", expected: null },
    { input: "+999 1234567", expected: null },
    { input: "555-CALL-NOW", defaultRegion: "US", expected: null },
  ])("$input (region $defaultRegion)", ({ input, defaultRegion, expected }) => {
    it(`normalizes to ${expected}`, () => {
      expect(normalizePhone(input, defaultRegion ? { defaultRegion } : {})).toBe(expected);
    });
  });
});

describe("wa_id conversion", () => {
  it("reads a wa_id as an international number and writes E.164 back without the plus", () => {
    expect(waIdToE164("16505551234")).toBe("+16505551234");
    expect(waIdToE164("+16505551234")).toBeNull();
    expect(waIdToE164("0123")).toBeNull();
    expect(e164ToWaId("+16505551234")).toBe("16505551234");
  });
});

describe("contactKeyOf / contactAliasesOf", () => {
  describe.each<{ identity: ContactIdentity; key: string | null; aliases: string[] }>([
    { identity: { phone: "+1 (555) 123-4567" }, key: "phone:+15551234567", aliases: ["phone:+15551234567"] },
    { identity: { phone: "16505551234" }, key: "phone:+16505551234", aliases: ["phone:+16505551234"] },
    { identity: { bsuid: "BR.1502576394655843" }, key: "bsuid:BR.1502576394655843", aliases: ["bsuid:BR.1502576394655843"] },
    {
      identity: { phone: "16505551234", bsuid: "US.1502576394655843" },
      key: "phone:+16505551234",
      aliases: ["phone:+16505551234", "bsuid:US.1502576394655843"],
    },
    {
      identity: { phone: "not a number", bsuid: " US.ENT.99 " },
      key: "bsuid:US.ENT.99",
      aliases: ["bsuid:US.ENT.99"],
    },
    { identity: { phone: "", bsuid: "   " }, key: null, aliases: [] },
    { identity: {}, key: null, aliases: [] },
  ])("$identity", ({ identity, key, aliases }) => {
    it("prefers the phone and lists every alias", () => {
      expect({ key: contactKeyOf(identity), aliases: contactAliasesOf(identity) }).toEqual({ key, aliases });
    });
  });

  it("files the same person under the same key whether the phone came typed or as a wa_id", () => {
    expect(contactKeyOf({ phone: "+1 650-555-1234" })).toBe(contactKeyOf({ phone: "16505551234" }));
  });
});

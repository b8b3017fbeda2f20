import { readTypedPhone } from "../../../server/whatsapp/phone";

describe("readTypedPhone (numbers people type)", () => {
  it("reads a national number with the workspace's default country and says so", () => {
    expect(readTypedPhone("07700 900123", "GB")).toEqual({ phone: "+447700900123", national: true });
    expect(readTypedPhone("020 7946 0958", "GB")).toEqual({ phone: "+442079460958", national: true });
  });

  it("reads an international number without the default country", () => {
    expect(readTypedPhone("+44 20 7946 0958", "GB")).toEqual({ phone: "+442079460958", national: false });
    expect(readTypedPhone("0044 20 7946 0958", null)).toEqual({ phone: "+442079460958", national: false });
  });

  it.each(["07700 900123 ext. 5", "07700 900123 x5", "+44 7700 900123 extension 5"])("explains that %s has an extension", (input) => {
    const read = readTypedPhone(input, "GB");
    expect(read).toEqual({ problem: expect.stringContaining("extension"), extension: "5" });
    expect("problem" in read && read.problem).toMatch(/WhatsApp/);
  });

  it("explains a national number typed where no default country is set", () => {
    expect(readTypedPhone("07700 900123", null)).toEqual({ problem: expect.stringMatching(/country code.*default country/s) });
  });

  it.each([
    ["123", /too short/],
    ["0770090012345678", /too long/],
    ["call me", /digits|not a phone number/],
    ["+999 1234567", /country code/],
  ])("explains %s in words", (input, sentence) => {
    expect(readTypedPhone(input, "GB")).toEqual({ problem: expect.stringMatching(sentence) });
  });
});

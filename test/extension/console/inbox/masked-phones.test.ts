import { matchesFilters } from "../../../../extension/console/inbox/chat-filters";
import { type Chat, noChatFilters } from "../../../../extension/console/inbox/types";
import { formatPhone } from "../../../../extension/console/shared/phone-format";
import { templateVariables } from "../../../../extension/console/shared/template-choice";
import { isMaskedPhone } from "../../../../extension/shared/masked-phone";

// A number the server sent masked ("+49 ••• ••• 12", contacts.view_numbers) is shown as it came:
// the console formats, prefills and compares only full numbers.

const masked = "+49 ••• ••• 12";
const chatWith = (phone: string) =>
  ({ id: "chat_1", accountId: "wa_1", responsibleId: null, contact: { id: "ct_1", phone, name: "Dora Dietrich" }, lastMessagePreview: "Hallo" }) as Chat;
const searching = (q: string) => ({ ...noChatFilters, q });

describe("masked phone numbers in the console", () => {
  it("are told apart from full ones", () => {
    expect([masked, "••• ••• 12", "+4915123456712", "", null, undefined].map(isMaskedPhone)).toEqual([true, true, false, false, false, false]);
  });

  it("are shown as they came, full ones formatted", () => {
    expect(formatPhone(masked)).toBe(masked);
    expect(formatPhone("+4915123456712")).toBe("+49 1512 3456712");
  });

  it("never fill a template's {{phone}}; a full number does", () => {
    const body = "Hi {{name}}, we will call {{phone}}.";
    expect(templateVariables(body, { name: "Dora", phone: masked })).toEqual([
      { key: "name", label: "Name", value: "Dora" },
      { key: "phone", label: "Phone", value: "" },
    ]);
    expect(templateVariables(body, { name: "Dora", phone: "+4915123456712" })[1]).toEqual({ key: "phone", label: "Phone", value: "+4915123456712" });
  });

  it.each([
    // [query, already listed, masked number matches, full number matches]
    ["+49 151 234567 12", true, true, true],
    ["+49 151 234567 12", false, false, true],
    ["4912", false, false, false],
    ["0151 23456712", true, true, true],
    ["Dora", false, true, true],
    ["nobody", true, false, false],
  ])("a live chat under the search %j (listed: %s): masked %s, full %s", (q, listed, maskedMatches, fullMatches) => {
    expect(matchesFilters(chatWith(masked), searching(q), "mem_1", undefined, listed)).toBe(maskedMatches);
    expect(matchesFilters(chatWith("+4915123456712"), searching(q), "mem_1", undefined, listed)).toBe(fullMatches);
  });
});

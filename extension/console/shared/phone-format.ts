import { getCountries, parsePhoneNumberFromString } from "libphonenumber-js";
import { isMaskedPhone } from "../../shared/masked-phone";

/** "+447700900123" → "+44 7700 900123"; anything that isn't an E.164 number (a masked one) as it came. */
export function formatPhone(phone: string): string {
  if (!phone.startsWith("+") || isMaskedPhone(phone)) return phone;
  return parsePhoneNumberFromString(phone)?.formatInternational() ?? phone;
}

const regionNames = new Intl.DisplayNames(["en"], { type: "region" });

/** "United Kingdom" for "GB"; the code itself when the browser has no name for it. */
export function countryName(code: string): string {
  return regionNames.of(code) ?? code;
}

/** Every country libphonenumber reads numbers of, by name: the choices of a default country. */
export function phoneCountryOptions(): { value: string; label: string }[] {
  return getCountries()
    .map((code) => ({ value: code as string, label: `${countryName(code)} (${code})` }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

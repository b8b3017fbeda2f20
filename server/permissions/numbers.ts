import { parsePhoneNumberFromString } from "libphonenumber-js";
import { type Actor, holds } from "./engine";

// contacts.view_numbers: a member without it sees "+49 ••• ••• 12" wherever a contact's phone
// number or WhatsApp id would appear. Presenters ask here; nothing else decides it.

/** Whether the actor may see contacts' full phone numbers. */
export function maySeeNumbers(actor: Actor): boolean {
  return holds(actor, "contacts.view_numbers");
}

/** A number with everything but its country code and last two digits hidden: "+49 ••• ••• 12". */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, "");
  const last = digits.slice(-2);
  const parsed = parsePhoneNumberFromString(phone.startsWith("+") ? phone : `+${digits}`);
  const countryCode = parsed?.countryCallingCode;
  return countryCode && digits.length > countryCode.length + 2 ? `+${countryCode} ••• ••• ${last}` : `••• ••• ${last}`;
}

/** The number as this actor may see it: in full with contacts.view_numbers, masked without. */
export function presentPhone(actor: Actor, phone: string): string;
export function presentPhone(actor: Actor, phone: string | null): string | null;
export function presentPhone(actor: Actor, phone: string | null): string | null {
  if (phone === null) return null;
  return maySeeNumbers(actor) ? phone : maskPhone(phone);
}

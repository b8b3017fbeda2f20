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

/** The fields that hold a contact's number in stored JSON (activity-log details, webhook payloads, message cards). */
const numberKeys = new Set(["phone", "phones", "contactPhone", "wa_id", "waId"]);

/**
 * A copy of stored JSON with every contact number in it masked: strings (and lists of strings)
 * under the keys that hold numbers, at any depth. A workspace's own WhatsApp numbers
 * (`phoneNumber`) are not contacts' and stay.
 */
export function maskNumbersIn<T>(value: T): T {
  return maskWithin(value, false) as T;
}

function maskWithin(value: unknown, isNumber: boolean): unknown {
  if (typeof value === "string") return isNumber ? maskPhone(value) : value;
  if (Array.isArray(value)) return value.map((item) => maskWithin(item, isNumber));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskWithin(item, numberKeys.has(key))]));
}

/** Something that reads like a phone number inside a sentence: 7 or more digits, maybe with +, spaces, dots, dashes or brackets. */
const numberInText = /\+?\d(?:[\s().-]*\d){6,}/g;
/** A date such a sentence may carry (2026-12-05): digits, but no one's number. */
const isoDate = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A free text the server writes or relays (an error detail from Meta, a send failure) as this actor
 * may see it: without contacts.view_numbers, anything in it that reads like a phone number masked.
 */
export function presentText(actor: Actor, text: string): string;
export function presentText(actor: Actor, text: string | null): string | null;
export function presentText(actor: Actor, text: string | null): string | null {
  if (text === null || maySeeNumbers(actor)) return text;
  return text.replace(numberInText, (found) => (isoDate.test(found) ? found : maskPhone(found)));
}

import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString, validatePhoneNumberLength } from "libphonenumber-js";

export type { CountryCode } from "libphonenumber-js";

/**
 * Normalizes a free-text phone number ("+1 (555) 123-4567", "0044 20 7946 0958", a national
 * number with `defaultRegion`) to E.164 ("+15551234567"); null when it is not a phone number.
 *
 * Accepts numbers that are *possible* (right length for the country) rather than *valid* (in an
 * allocated range): the range metadata lags new allocations and reserved test ranges such as
 * +1 555 are used in demos, while WhatsApp itself is the authority on whether a number exists
 * (it answers 131026). An extension ("ext. 12") is dropped: WhatsApp has no extensions.
 */
export function normalizePhone(input: string, options: { defaultRegion?: CountryCode } = {}): string | null {
  // "00" is the international call prefix almost everywhere; libphonenumber only knows that
  // when the default region uses it, and CRM records are typed by people in many regions.
  const text = input.trim().replace(/^00(?=\s*[1-9])/, "+");
  if (!/\d/.test(text)) return null;
  const parsed = parsePhoneNumberFromString(text, options.defaultRegion);
  if (!parsed?.isPossible()) return null;
  return parsed.number;
}

/** Whether `code` is an ISO 3166 alpha-2 country libphonenumber knows numbers of ("GB", "DE"). */
export function isPhoneCountry(code: string): code is CountryCode {
  return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code);
}

/** A number a person typed: its E.164 and whether it was read with the default country; or why not, in a sentence. */
export type TypedPhone = { phone: string; national: boolean } | { problem: string; extension?: string };

/**
 * Reads a number a person typed (new chat, campaign CSV): a national number ("07700 900123")
 * with the workspace's default country, an international one ("+44 …", "0044 …") without.
 * Unlike normalizePhone, nothing is dropped silently: an extension ("ext. 5", "x5") cannot be
 * messaged on WhatsApp, so it is refused with a sentence, as is anything that isn't a number.
 */
export function readTypedPhone(input: string, defaultCountry: CountryCode | null | undefined): TypedPhone {
  const text = input.trim().replace(/^00(?=\s*[1-9])/, "+");
  if (!/\d/.test(text)) return { problem: `“${input.trim()}” is not a phone number: it has no digits.` };
  const international = text.startsWith("+");
  if (!international && !defaultCountry)
    return {
      problem: `“${text}” has no country code, and the workspace has no default country. Type it with + and the country code (e.g. +44 20 7946 0958), or set the default country in Settings.`,
    };
  const region = international ? undefined : (defaultCountry ?? undefined);
  const parsed = parsePhoneNumberFromString(text, region);
  if (parsed?.ext)
    return {
      problem: `WhatsApp can't message an extension (“${parsed.ext}”): an extension reaches a desk phone behind a switchboard. Type the number of the phone that has WhatsApp, without the extension.`,
      extension: parsed.ext,
    };
  if (parsed?.isPossible()) return { phone: parsed.number, national: !international };
  if (/[a-z]/i.test(text.replace(/^tel:/i, ""))) return { problem: `“${text}” is not a phone number: use digits only (letters can't be dialled on WhatsApp).` };
  const where = international ? "" : ` for ${defaultCountry}`;
  switch (validatePhoneNumberLength(text, region)) {
    case "TOO_SHORT":
      return { problem: `“${text}” is too short to be a phone number${where}.` };
    case "TOO_LONG":
      return { problem: `“${text}” is too long to be a phone number${where}.` };
    case "INVALID_COUNTRY":
      return { problem: `“${text}” starts with a country code that doesn't exist. Check the digits after the +.` };
    default:
      return { problem: `“${text}” is not a phone number${where}: check its digits.` };
  }
}

/** Converts a WhatsApp `wa_id` (international digits without "+") to E.164; null if it isn't one. */
export function waIdToE164(waId: string): string | null {
  const digits = waId.trim();
  if (!/^[1-9]\d{6,14}$/.test(digits)) return null;
  return normalizePhone(`+${digits}`);
}

/** The form the Cloud API's `to` field takes: the E.164 number without its "+". */
export function e164ToWaId(e164: string): string {
  return e164.replace(/^\+/, "");
}

/**
 * Who a WhatsApp customer is, as far as one webhook or send result tells. The phone (E.164 or a
 * wa_id) may be missing from 2026 for users with a username; the BSUID (business-scoped user id,
 * e.g. "BR.1502576394655843") is then the only handle. A BSUID is scoped to one business
 * portfolio and changes when the user changes phone number.
 */
export type ContactIdentity = { phone?: string; bsuid?: string };

export type ContactKey = `phone:${string}` | `bsuid:${string}`;

/**
 * The key a contact is filed under: `phone:+15551234567` when a usable phone is present, else
 * `bsuid:<id>`; null when neither is. BSUID keys are only unique within one business portfolio,
 * so store them scoped to the workspace's portfolio.
 */
export function contactKeyOf(identity: ContactIdentity): ContactKey | null {
  return contactAliasesOf(identity)[0] ?? null;
}

/**
 * Every key the identity can be found by, preferred first. One event may carry the phone and a
 * later one only the BSUID, so a contact store should record all aliases it has seen and match
 * on any of them; otherwise the same person splits into two contacts.
 */
export function contactAliasesOf(identity: ContactIdentity): ContactKey[] {
  const aliases: ContactKey[] = [];
  const phone = identity.phone ? phoneFromIdentity(identity.phone) : null;
  if (phone) aliases.push(`phone:${phone}`);
  // The BSUID format is new and documented only by examples, so it is trimmed, not validated.
  const bsuid = identity.bsuid?.trim();
  if (bsuid) aliases.push(`bsuid:${bsuid}`);
  return aliases;
}

function phoneFromIdentity(phone: string): string | null {
  const trimmed = phone.trim();
  // Webhooks carry wa_ids (digits only); our own records carry E.164.
  return /^\d+$/.test(trimmed) ? waIdToE164(trimmed) : normalizePhone(trimmed);
}

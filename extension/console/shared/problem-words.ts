import { messageTextMaxLength } from "../../../server/whatsapp/message-limits";
import type { ProblemBody } from "../api/types";

// What an API problem says, in words a member understands: no problem codes, no field paths,
// no permission names, no waits counted in seconds. Shared by the console and the CRM panels.

export type ProblemWords = { summary: string; fields: string[] };

/** What to say when the server's detail only restates the code or speaks of the protocol. */
const plainSummaries: Record<ProblemBody["code"], string> = {
  invalid_request: "Please check what you entered.",
  unauthenticated: "Your session has ended. Log in again.",
  permission_denied: "Your role does not allow this.",
  member_suspended: "Your access to this workspace is suspended.",
  not_found: "This no longer exists, or you cannot see it.",
  conflict: "That did not go through; reload and try again.",
  payload_too_large: "That is too large to send.",
  unsupported_media_type: "That could not be sent; reload the page and try again.",
  rate_limited: "Too many attempts; wait a while and try again.",
  unprocessable: "That cannot be done.",
  crm_not_linked: "A CRM connection is missing; see the Integrations page.",
  mail_not_configured: "E-mail is not set up on this server.",
  wrong_password: "The password is wrong.",
  cross_site_request: "This page may not do that; open Switchboard at its own address.",
  internal: "Something went wrong on our side; try again in a moment.",
  unavailable: "Switchboard is busy right now; try again in a moment.",
  network_error: "Switchboard could not be reached. Check your connection and try again.",
};

/** Details that only restate the code or speak of the protocol. */
const jargonDetails = [
  /^The (body|query|path|request) has invalid fields\.$/,
  /^The request could not be read\.$/,
  /^The body is not valid JSON\.$/,
  /^A valid bearer token is required\.$/,
  /^The bearer token is invalid or has expired\.$/,
  /^The server answered \d+\.$/,
  /^Switchboard answered \d+\.$/,
  /^Something went wrong on our side\.$/,
];

const fieldNames: Record<string, string> = {
  text: "The message",
  phone: "The phone number",
  phoneNumber: "The phone number",
  email: "The email address",
  password: "The password",
  currentPassword: "Your current password",
  newPassword: "The new password",
  name: "The name",
  displayName: "The display name",
  accountId: "The WhatsApp number",
  memberId: "The member",
  roleId: "The role",
  languageCode: "The language",
  bodyParameters: "The template's values",
  url: "The address",
};

const count = (value: number) => value.toLocaleString("en-US");

/** "892 seconds" → "15 minutes": waits rounded up to what a person would say. */
export function durationInWords(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? "1 second" : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return minutes === 1 ? "a minute" : `${minutes} minutes`;
  const hours = Math.ceil(minutes / 60);
  return hours === 1 ? "an hour" : `${hours} hours`;
}

/** The last named part of a field path (`body.template.bodyParameters.0` → `bodyParameters`), as a noun phrase. */
function fieldName(path: string): string {
  const named = path
    .split(".")
    .filter((part) => !/^\d+$/.test(part) && !["body", "query", "path", "header"].includes(part))
    .at(-1);
  if (!named) return "This";
  if (fieldNames[named]) return fieldNames[named];
  const spaced = named
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .replace(/[_-]/g, " ")
    .toLowerCase();
  return `The ${spaced}`;
}

/** One field error as a sentence. */
export function fieldSentence({ path, message }: { path: string; message: string }): string {
  const tooLong = message.match(/^Too big: expected (?:string|array) to have <=\s?(\d+)/);
  if (tooLong && /(^|\.)text$/.test(path) && Number(tooLong[1]) === messageTextMaxLength) {
    return `Messages can have at most ${count(messageTextMaxLength)} characters.`;
  }
  const name = fieldName(path);
  if (tooLong) return `${name} can have at most ${count(Number(tooLong[1]))} ${message.includes("array") ? "entries" : "characters"}.`;
  const tooShort = message.match(/^Too small: expected (?:string|array) to have >=\s?(\d+)/);
  if (tooShort) return Number(tooShort[1]) === 1 ? `${name} cannot be empty.` : `${name} needs at least ${count(Number(tooShort[1]))} characters.`;
  if (/^Invalid input: expected \w+, received undefined$/.test(message)) return `${name} is missing.`;
  if (/^Invalid (option|enum value)/.test(message)) return `${name} is not one of the accepted values.`;
  if (/^Invalid input/.test(message)) return `${name} is not in the expected form.`;
  if (/^Invalid (email|e-mail)/i.test(message)) return `${name} is not a valid email address.`;
  if (/^Unrecognized key/.test(message)) return "Something unexpected was sent; reload the page and try again.";
  const phrase = message.replace(/\.$/, "");
  return `${name}: ${phrase.charAt(0).toLowerCase()}${phrase.slice(1)}.`;
}

/** Rewrites what a detail says in a member's words: waits in minutes, no permission names in brackets. */
function humaneDetail(detail: string): string {
  return detail.replace(/(\d+) seconds?/g, (_whole, seconds: string) => durationInWords(Number(seconds))).replace(/ \([a-z]+\.[a-z]+\)/g, "");
}

/** The problem in words: the server's detail made plain (or a sentence for its code), and a sentence per field. */
export function problemInWords(problem: ProblemBody): ProblemWords {
  const jargon = !problem.detail || jargonDetails.some((pattern) => pattern.test(problem.detail));
  const summary = jargon ? (plainSummaries[problem.code] ?? "Something went wrong.") : humaneDetail(problem.detail);
  // A field error that repeats the detail (a sentence already) is said once, by the summary.
  const errors = (problem.errors ?? []).filter((error) => error.message !== problem.detail);
  const fields = [...new Set(errors.map(fieldSentence))].filter((sentence) => sentence !== summary);
  return { summary, fields };
}

/** The problem as one line of text, for places that show a single sentence (the CRM panels). */
export function problemSentence(problem: ProblemBody): string {
  const { summary, fields } = problemInWords(problem);
  return [summary, ...fields].join(" ");
}

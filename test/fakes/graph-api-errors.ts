import { randomBytes } from "node:crypto";
import type { Response } from "express";

/**
 * Graph API error bodies as Meta sends them. Sources: Meta, "WhatsApp error codes"
 * (developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes) — the
 * body is {error: {message: "(#code) title", type, code, error_data: {messaging_product, details},
 * fbtrace_id}}, HTTP status per code as in its table; WhatsApp's own codes carry no error_subcode
 * since v16.0, Graph's generic ones (190, 100/33) still do (Meta, "Graph API error handling").
 * See shared/reference/whatsapp.md §2-3.
 */
export type GraphFailure = {
  code: number;
  /** Graph's exception class; OAuthException unless told. */
  type?: string;
  subcode?: number;
  httpStatus?: number;
  message?: string;
  details?: string;
  retryAfterSeconds?: number;
};

type FailureDefaults = { httpStatus: number; message: string; details?: string; subcode?: number };

export const defaultFailures: Record<number, FailureDefaults> = {
  190: { httpStatus: 401, message: "Error validating access token: Session has expired." },
  100: { httpStatus: 400, message: "(#100) Invalid parameter" },
  130429: { httpStatus: 400, message: "(#130429) Rate limit hit", details: "Cloud API message throughput has been reached." },
  131000: { httpStatus: 500, message: "(#131000) Something went wrong" },
  131008: { httpStatus: 400, message: "(#131008) Required parameter is missing", details: "The request is missing a required parameter." },
  131009: { httpStatus: 400, message: "(#131009) Parameter value is not valid", details: "One or more parameter values are invalid." },
  131026: { httpStatus: 400, message: "(#131026) Message Undeliverable" },
  131047: {
    httpStatus: 400,
    message: "(#131047) Re-engagement message",
    details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
  },
  131056: {
    httpStatus: 400,
    message: "(#131056) (Business Account, Consumer Account) pair rate limit hit",
    details: "Too many messages sent from the sender phone number to the same recipient phone number in a short period of time.",
  },
  132000: {
    httpStatus: 400,
    message: "(#132000) Number of parameters does not match the expected number of params",
    details: "The number of variable parameter values included in the request did not match the number of variable parameters defined in the template.",
  },
  132001: {
    httpStatus: 404,
    message: "(#132001) Template name does not exist in the translation",
    details: "The template does not exist in the specified language or the template has not been approved.",
  },
  132012: {
    httpStatus: 400,
    message: "(#132012) Parameter format does not match format in the created template",
    details: "Variable parameter values formatted incorrectly.",
  },
  132015: {
    httpStatus: 400,
    message: "(#132015) Template is Paused",
    details: "Template is paused due to low quality so it cannot be sent in a template message.",
  },
  132016: {
    httpStatus: 400,
    message: "(#132016) Template is Disabled",
    details: "Template has been paused too many times due to low quality and is now permanently disabled.",
  },
};

/** Answers with Meta's error body for `failure`, defaults filled in from Meta's table. */
export function sendGraphError(response: Response, failure: GraphFailure) {
  const defaults = defaultFailures[failure.code];
  const httpStatus = failure.httpStatus ?? defaults?.httpStatus ?? 400;
  const subcode = failure.subcode ?? defaults?.subcode;
  const details = failure.details ?? defaults?.details;
  if (failure.retryAfterSeconds !== undefined) response.set("retry-after", String(failure.retryAfterSeconds));
  response.status(httpStatus).json({
    error: {
      message: failure.message ?? defaults?.message ?? `(#${failure.code}) Error`,
      type: failure.type ?? "OAuthException",
      code: failure.code,
      ...(subcode === undefined ? {} : { error_subcode: subcode }),
      ...(details === undefined ? {} : { error_data: { messaging_product: "whatsapp", details } }),
      fbtrace_id: randomBytes(12).toString("base64url"),
    },
  });
}

/**
 * Meta, "Graph API error handling": an object that does not exist and one the token may not use
 * get the same answer (HTTP 400, GraphMethodException, code 100, subcode 33), so a token can't
 * probe for ids. `verb` is "get" or "post", as in Meta's message.
 */
export function sendUnknownObject(response: Response, id: string, verb: "get" | "post") {
  sendGraphError(response, {
    code: 100,
    subcode: 33,
    type: "GraphMethodException",
    message: `Unsupported ${verb} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
  });
}

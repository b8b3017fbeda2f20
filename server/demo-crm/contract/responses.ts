import type { Response } from "express";

// Pipedrive's response envelopes, for both imitations of Pipedrive (the demo CRM and the tests'
// fake). https://pipedrive.readme.io/docs/core-api-concepts-responses: every answer carries
// `success`; a success carries `data` and `additional_data`; an error carries `error`,
// `error_info`, `data: null` and `additional_data: null`. `errorCode` (the HTTP status) is in
// the bodies Pipedrive sends (https://github.com/pipedrive/client-php/issues/14 shows one).

export const errorInfo = "Please check developers.pipedrive.com for more information about Pipedrive API.";

/** A success: `{success: true, data, additional_data}` (additional_data null when there is none). */
export function success<T>(data: T, additionalData: Record<string, unknown> | null = null) {
  return { success: true as const, data, additional_data: additionalData };
}

export type ApiErrorBody = { success: false; error: string; errorCode: number; error_info: string; data: null; additional_data: null };

/** Pipedrive's error body for `status`. */
export function apiErrorBody(status: number, error: string): ApiErrorBody {
  return { success: false, error, errorCode: status, error_info: errorInfo, data: null, additional_data: null };
}

export function sendApiError(response: Response, status: number, error: string) {
  response.status(status).json(apiErrorBody(status, error));
}

/** The OAuth server's error body (RFC 6749 §5.2), as Pipedrive's /oauth/token and /oauth/revoke answer. */
export function sendOAuthError(response: Response, status: number, error: string, description: string) {
  response.status(status).json({ error, error_description: description });
}

import type { Permission } from "../permissions";

export const problemCodes = [
  "invalid_request",
  "unauthenticated",
  "permission_denied",
  "member_suspended",
  "not_found",
  "conflict",
  "payload_too_large",
  "unsupported_media_type",
  "rate_limited",
  "unprocessable",
  "crm_not_linked",
  "mail_not_configured",
  "wrong_password",
  "cross_site_request",
  "internal",
  "unavailable",
] as const;
export type ProblemCode = (typeof problemCodes)[number];

export type FieldError = { path: string; message: string };

/** An RFC 9457 problem, thrown anywhere and rendered by the error middleware. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    readonly title: string,
    readonly detail: string,
    readonly extras: { permission?: Permission; errors?: FieldError[]; retryAfterSeconds?: number; missing?: string } = {},
  ) {
    super(detail);
  }

  toJSON() {
    return {
      type: `urn:switchboard:problem:${this.code}`,
      title: this.title,
      status: this.status,
      detail: this.detail,
      code: this.code,
      ...(this.extras.permission ? { permission: this.extras.permission } : {}),
      ...(this.extras.errors ? { errors: this.extras.errors } : {}),
      ...(this.extras.missing ? { missing: this.extras.missing } : {}),
    };
  }
}

export const notFound = (what = "resource") => new HttpProblem(404, "not_found", "Not found", `The ${what} does not exist or you cannot see it.`);
export const conflict = (detail: string) => new HttpProblem(409, "conflict", "Conflict", detail);
export const unauthenticated = (detail = "A valid bearer token is required.") => new HttpProblem(401, "unauthenticated", "Unauthenticated", detail);
export const invalidRequest = (detail: string, errors?: FieldError[]) =>
  new HttpProblem(400, "invalid_request", "Invalid request", detail, errors ? { errors } : {});
export const forbidden = (permission: Permission, detail: string) => new HttpProblem(403, "permission_denied", "Permission denied", detail, { permission });

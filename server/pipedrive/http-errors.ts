import { HttpProblem } from "../http/problem";
import { reconnectHint } from "./connections";
import { PipedriveError, PipedriveRateLimited } from "./errors";
import { requiredPipedriveScopes } from "./scopes";

/** What to do when Pipedrive refuses a call for want of a scope (server/pipedrive/scopes.ts lists the ones Switchboard asks for). */
export const scopeMissingHint = `Pipedrive refused this because the connection wasn't granted the access it needs (an OAuth scope). Check that the app's scopes in Pipedrive Developer Hub include every one Switchboard lists (${requiredPipedriveScopes.join(", ")}), then an Owner or Admin must press Reconnect Pipedrive on the Integrations page of the Switchboard console (/#/integrations) so the user consents to them.`;

/** Runs a Pipedrive call for a route, answering its failures as problems the client can act on. */
export async function answeringPipedriveErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof PipedriveError)) throw error;
    if (error instanceof PipedriveRateLimited) {
      throw new HttpProblem(429, "rate_limited", "Pipedrive rate limit", "Pipedrive asks us to slow down; try again shortly.", {
        retryAfterSeconds: Math.ceil(error.retryAfterMs / 1000),
      });
    }
    if (error.reason === "reconnect_required") throw new HttpProblem(409, "conflict", "Pipedrive needs reconnecting", reconnectHint("workspace"));
    if (error.reason === "scope_missing") throw new HttpProblem(409, "conflict", "Pipedrive access not granted", scopeMissingHint);
    if (error.reason === "not_found") throw new HttpProblem(404, "not_found", "Not found", "Pipedrive has no such record, or this connection cannot see it.");
    throw new HttpProblem(502, "internal", "Pipedrive failed", `Pipedrive could not answer (${error.reason}).`);
  }
}

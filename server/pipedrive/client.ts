import { Configuration as ConfigurationV1, DealsApi as DealsApiV1, NotesApi, PersonsApi as PersonsApiV1, UsersApi } from "pipedrive/v1";
import { ActivitiesApi, Configuration as ConfigurationV2, DealsApi, PersonsApi } from "pipedrive/v2";
import { PipedriveError, pipedriveErrorFrom, sdkRequestOptions } from "./errors";
import { type PipedriveApp, type PipedriveTokens, refreshPipedriveTokens } from "./oauth";

/** A stored installation, as the token store hands it over (tokens decrypted). */
export type PipedriveConnection = { id: string; tokens: PipedriveTokens };

/**
 * Persists tokens after every refresh. Called once per refresh, before the new access token is
 * used; a failure fails the call that needed the refresh. Pipedrive returns the same refresh
 * token with a pushed-out expiry, so saving an older result late does no harm.
 */
export type SaveTokens = (connectionId: string, tokens: PipedriveTokens) => Promise<void>;

/** The official SDK's API objects, v2 where Pipedrive has it and v1 for notes, users/me and permitted users. */
export type PipedriveApis = {
  deals: DealsApi;
  persons: PersonsApi;
  /** v1 only: "List permitted users" of a deal or person (GET /v1/{deals|persons}/{id}/permittedUsers). */
  dealsV1: DealsApiV1;
  personsV1: PersonsApiV1;
  activities: ActivitiesApi;
  notes: NotesApi;
  users: UsersApi;
};

export type PipedriveClient = {
  connectionId: string;
  /** Runs one SDK call; on a 401 it refreshes once and runs it again. Throws PipedriveError. */
  run<T>(operation: (apis: PipedriveApis) => Promise<T>): Promise<T>;
  tokens(): PipedriveTokens;
};

/** Refresh when less than this is left, so a token never expires mid-job. */
export const defaultRefreshMarginMs = 5 * 60_000;

/**
 * Builds authorised clients for stored installations. Create one per process: it keeps the
 * in-flight refreshes so concurrent callers for one installation share a single refresh.
 */
export function createPipedriveConnector(options: { app: PipedriveApp; saveTokens: SaveTokens; refreshMarginMs?: number; now?: () => Date }) {
  const now = options.now ?? (() => new Date());
  const marginMs = options.refreshMarginMs ?? defaultRefreshMarginMs;
  const refreshesInFlight = new Map<string, Promise<PipedriveTokens>>();

  function refreshShared(connectionId: string, refreshToken: string): Promise<PipedriveTokens> {
    const inFlight = refreshesInFlight.get(connectionId);
    if (inFlight) return inFlight;
    const refresh = (async () => {
      const tokens = await refreshPipedriveTokens(options.app, refreshToken, now);
      await options.saveTokens(connectionId, tokens);
      return tokens;
    })().finally(() => refreshesInFlight.delete(connectionId));
    refreshesInFlight.set(connectionId, refresh);
    return refresh;
  }

  /** An authorised client for the installation, refreshed first if its token is (nearly) expired. */
  async function getClient(connection: PipedriveConnection): Promise<PipedriveClient> {
    let current = connection.tokens;
    const refresh = async () => {
      current = await refreshShared(connection.id, current.refreshToken);
      return current;
    };
    const freshAccessToken = async () => {
      if (current.expiresAt.getTime() - marginMs <= now().getTime()) await refresh();
      return current.accessToken;
    };
    await freshAccessToken();
    // Both versions share one token source; the SDK reads it (and basePath) at request time.
    const v2 = new ConfigurationV2({ accessToken: freshAccessToken, basePath: `${current.apiDomain}/api/v2` });
    const v1 = new ConfigurationV1({ accessToken: freshAccessToken, basePath: `${current.apiDomain}/api/v1` });
    v2.baseOptions = sdkRequestOptions;
    v1.baseOptions = sdkRequestOptions;
    const apis: PipedriveApis = {
      deals: new DealsApi(v2),
      persons: new PersonsApi(v2),
      dealsV1: new DealsApiV1(v1),
      personsV1: new PersonsApiV1(v1),
      activities: new ActivitiesApi(v2),
      notes: new NotesApi(v1),
      users: new UsersApi(v1),
    };

    async function run<T>(operation: (apis: PipedriveApis) => Promise<T>): Promise<T> {
      const tokensBefore = current;
      try {
        return await operation(apis);
      } catch (rejection) {
        const failure = pipedriveErrorFrom(rejection);
        if (failure?.reason !== "unauthorized") throw failure ?? rejection;
        // Another call may already have refreshed while this one was in flight.
        if (current === tokensBefore) await refresh();
      }
      try {
        return await operation(apis);
      } catch (rejection) {
        const failure = pipedriveErrorFrom(rejection);
        if (failure?.reason !== "unauthorized") throw failure ?? rejection;
        throw new PipedriveError("reconnect_required", `Pipedrive rejected a freshly refreshed token: ${failure.message}`, 401);
      }
    }

    return { connectionId: connection.id, run, tokens: () => current };
  }

  return { getClient };
}

export type PipedriveConnector = ReturnType<typeof createPipedriveConnector>;

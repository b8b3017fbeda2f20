import type { PipedriveConnection } from "../../../server/pipedrive/client";
import { exchangeAuthorizationCode, type PipedriveApp, type PipedriveTokens } from "../../../server/pipedrive/oauth";
import type { FakePipedrive } from "../../fakes/pipedrive";

/** Our app's registration, pointed at the fake through the SDK's `host` option. */
export function appFor(fake: FakePipedrive): PipedriveApp {
  return { clientId: fake.clientId, clientSecret: fake.clientSecret, redirectUri: fake.redirectUri, oauthHost: fake.url };
}

/** An installation as the token store would hold it: installed through the real code exchange. */
export async function installedConnection(fake: FakePipedrive, tokens: Partial<PipedriveTokens> = {}): Promise<PipedriveConnection> {
  const installed = await exchangeAuthorizationCode(appFor(fake), fake.issueAuthorizationCode());
  fake.requests.length = 0;
  return { id: "pdi_test", tokens: { ...installed, ...tokens } };
}

/** A saveTokens callback that remembers what it was given. */
export function recordingTokenStore() {
  const saved: { connectionId: string; tokens: PipedriveTokens }[] = [];
  return {
    saved,
    saveTokens: async (connectionId: string, tokens: PipedriveTokens) => {
      saved.push({ connectionId, tokens });
    },
  };
}

export const minutesFromNow = (minutes: number) => new Date(Date.now() + minutes * 60_000);

import { HttpProblem } from "../http/problem";
import { type BusinessPhoneNumber, CloudApiError, type CloudClient } from "./cloud-client";

export type CloudNumberClaim = { phoneNumberId: string; wabaId: string; accessToken: string };

const unprocessable = (detail: string) => new HttpProblem(422, "unprocessable", "Cannot connect this number", detail);

/**
 * Proves that the access token a workspace gives controls the Cloud API number it claims, before
 * the number is routed to it (routes are global: whoever holds one reads the number's customers).
 * The token must read the number (GET /{phone-number-id}), manage its WABA (GET
 * /{waba-id}/subscribed_apps), and the WABA must list the number (GET /{waba-id}/phone_numbers).
 * Throws 422 when Meta says no, 502 when Meta cannot answer; the token never appears in a detail.
 */
export async function proveNumberControl(cloud: CloudClient, claim: CloudNumberClaim): Promise<BusinessPhoneNumber> {
  const { phoneNumberId, wabaId, accessToken } = claim;
  const number = await askMeta(() => cloud.getPhoneNumber({ phoneNumberId, accessToken }), `phone number ${phoneNumberId}`);
  await askMeta(() => cloud.listSubscribedApps({ wabaId, accessToken }), `WhatsApp Business Account ${wabaId}`);
  const numbersOfWaba = await askMeta(() => cloud.listPhoneNumberIds({ wabaId, accessToken }), `WhatsApp Business Account ${wabaId}`);
  if (!numbersOfWaba.includes(phoneNumberId)) {
    throw unprocessable(`Phone number ${phoneNumberId} does not belong to WhatsApp Business Account ${wabaId} at Meta.`);
  }
  return number;
}

async function askMeta<T>(call: () => Promise<T>, what: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof CloudApiError)) throw error;
    const meta = `${error.code === null ? "" : ` (Meta error ${error.code}${error.subcode === null ? "" : `/${error.subcode}`})`}`;
    if (error.kind === "token_invalid") throw unprocessable(`Meta refused the access token${meta}: it is invalid or has expired.`);
    // Graph answers "does not exist" and "missing permissions" alike (100/33), so we cannot tell them apart either.
    if (!error.retryable && error.code !== null) {
      throw unprocessable(`The access token cannot reach ${what} at Meta${meta}: it does not exist or the token may not manage it.`);
    }
    throw new HttpProblem(502, "internal", "Meta failed", `Meta's Graph API could not check ${what}${meta}; try again shortly.`);
  }
}

/**
 * Reading just enough of a webhook to check it entry by entry. Meta signs a whole POST with one
 * app's secret, and that app speaks only for the numbers subscribed to it: so a signature proves
 * a change's origin only when it verifies with the secret of *that change's* account.
 */

/** How many distinct phone_number_ids an unverified body may make us look up. */
export const maxCandidatePhoneNumberIds = 500;

// A key `"phone_number_id"` followed by a string of digits (Meta's ids are numeric). Inside a JSON
// string value quotes are escaped (`\"`), so text a customer wrote cannot forge this key.
const phoneNumberIdPattern = /"phone_number_id"\s*:\s*"(\d{1,30})"/g;

/**
 * The phone_number_ids an *unverified* raw body names, found by scanning its text rather than
 * parsing it: they only choose which secrets to try. Nothing is trusted from the scan; once a
 * signature verifies, the parsed body is checked change by change (acceptedChanges).
 */
export function scanPhoneNumberIds(raw: string): string[] {
  const ids = new Set<string>();
  for (const match of raw.matchAll(phoneNumberIdPattern)) {
    if (match[1]) ids.add(match[1]);
    if (ids.size >= maxCandidatePhoneNumberIds) break;
  }
  return [...ids];
}

type Change = { field?: unknown; value?: { metadata?: { phone_number_id?: unknown } } };
type Entry = { id?: unknown; changes?: unknown };

/** The phone_number_ids a parsed body's changes are for. */
export function phoneNumberIdsOf(json: unknown): string[] {
  const ids = changesOf(json).flatMap(({ phoneNumberId }) => (phoneNumberId ? [phoneNumberId] : []));
  return [...new Set(ids)];
}

export type DroppedChange = { phoneNumberId: string; entryId: string | null };

/**
 * The body with only the changes `accepts` lets through, for parseWebhook; and the ones it
 * dropped. A change without a phone_number_id (account or template updates) names no account
 * whose key could vouch for it, so it is dropped too, silently: we act on none of them.
 */
export function acceptedChanges(json: unknown, accepts: (phoneNumberId: string) => boolean): { body: unknown; dropped: DroppedChange[] } {
  const dropped: DroppedChange[] = [];
  const entries = entriesOf(json).flatMap((entry) => {
    const changes = (Array.isArray(entry.changes) ? (entry.changes as Change[]) : []).filter((change) => {
      const phoneNumberId = phoneNumberIdOf(change);
      if (phoneNumberId && accepts(phoneNumberId)) return true;
      if (phoneNumberId) dropped.push({ phoneNumberId, entryId: typeof entry.id === "string" ? entry.id : null });
      return false;
    });
    return changes.length > 0 ? [{ ...entry, changes }] : [];
  });
  return { body: { ...(json as object), entry: entries }, dropped };
}

function entriesOf(json: unknown): Entry[] {
  const entries = (json as { entry?: unknown } | null)?.entry;
  return Array.isArray(entries) ? entries.filter((entry): entry is Entry => typeof entry === "object" && entry !== null) : [];
}

function changesOf(json: unknown): { phoneNumberId: string | null }[] {
  return entriesOf(json).flatMap((entry) =>
    (Array.isArray(entry.changes) ? (entry.changes as Change[]) : []).map((change) => ({ phoneNumberId: phoneNumberIdOf(change) })),
  );
}

function phoneNumberIdOf(change: Change | null | undefined): string | null {
  const id = change?.value?.metadata?.phone_number_id;
  return typeof id === "string" && id.length > 0 ? id : null;
}

/** A random Idempotency-Key (crypto.getRandomValues works outside secure contexts too, unlike randomUUID). */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * One composer's sends: the same content keeps its Idempotency-Key until it is sent, so pressing
 * Send again after a lost answer is answered from the first request instead of sending twice;
 * a second submit while one is on its way is dropped.
 */
export function createIdempotentSender() {
  let current: { content: string; key: string } | null = null;
  let inFlight = false;
  return {
    get busy() {
      return inFlight;
    },
    async send<Result>(content: unknown, run: (idempotencyKey: string) => Promise<Result>): Promise<Result | undefined> {
      if (inFlight) return undefined;
      const fingerprint = JSON.stringify(content);
      if (current?.content !== fingerprint) current = { content: fingerprint, key: newIdempotencyKey() };
      inFlight = true;
      try {
        const result = await run(current.key);
        current = null;
        return result;
      } finally {
        inFlight = false;
      }
    },
  };
}

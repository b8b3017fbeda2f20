import { apiBase } from "../api/client";
import { type CampaignProgressEvent, createEventStreamParser, type LiveEvent, type LiveStatus } from "./live-event";

/** Waits between reconnects, with ±25 % jitter so a restarted server is not hit by every tab at once. */
const backoffMs = [1_000, 2_000, 5_000, 10_000, 30_000];
/** The server sends a heartbeat every 25 s; this long without a byte means the connection is dead. */
const silenceLimitMs = 60_000;
/** A connection that stayed up this long starts the backoff again from the shortest wait. */
const stableAfterMs = 10_000;

type StreamHandlers = {
  onEvent(event: LiveEvent): void;
  /** Campaign progress, for the console's Campaigns page (the panel leaves it out). */
  onCampaignProgress?(event: CampaignProgressEvent): void;
  /** `reconnected`: live again after a drop, so events may have been missed. */
  onStatus(status: LiveStatus, reconnected?: boolean): void;
};

/**
 * Opens GET /events with the bearer token (EventSource cannot send one), reads it with
 * fetch + ReadableStream, and reconnects with backoff until the returned stop() is called.
 * 401/403 stop it for good: the session is over, and the next API call says so.
 */
export function openEventStream(token: string, { onEvent, onCampaignProgress, onStatus }: StreamHandlers): () => void {
  let stopped = false;
  let attempt = 0;
  let everLive = false;
  let controller: AbortController | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const connect = async () => {
    const current = new AbortController();
    controller = current;
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const feedWatchdog = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => current.abort(), silenceLimitMs);
    };
    let liveSince = 0;
    try {
      feedWatchdog();
      const response = await fetch(`${apiBase}/events`, {
        headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" },
        cache: "no-store",
        signal: current.signal,
      });
      if (response.status === 401 || response.status === 403) {
        stopped = true;
        onStatus("stopped");
        return;
      }
      if (!response.ok || !response.body) throw new Error(`GET /events answered ${response.status}`);
      liveSince = Date.now();
      onStatus("live", everLive);
      everLive = true;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      const parse = createEventStreamParser(onEvent, onCampaignProgress);
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        feedWatchdog();
        parse(value);
      }
    } catch {
      // A network error, the server going away, or our own abort: all end in a reconnect (or stop).
    } finally {
      clearTimeout(watchdog);
    }
    if (stopped) return;
    if (liveSince && Date.now() - liveSince > stableAfterMs) attempt = 0;
    const base = backoffMs[Math.min(attempt, backoffMs.length - 1)] ?? 30_000;
    attempt += 1;
    onStatus("reconnecting");
    retryTimer = setTimeout(() => void connect(), base * (0.75 + Math.random() * 0.5));
  };

  onStatus("connecting");
  void connect();
  return () => {
    stopped = true;
    clearTimeout(retryTimer);
    controller?.abort();
  };
}

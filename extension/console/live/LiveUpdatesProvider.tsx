import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import { callApi, sessionToken } from "../api/client";
import { openEventStream } from "./event-stream";
import type { CampaignProgressEvent, LiveSignal, LiveStatus } from "./live-event";

type Listener = (signal: LiveSignal) => void;
type CampaignListener = (event: CampaignProgressEvent) => void;
type LiveApi = { status: LiveStatus; subscribe(listener: Listener): () => void; subscribeCampaigns(listener: CampaignListener): () => void };

const LiveContext = createContext<LiveApi>({ status: "off", subscribe: () => () => undefined, subscribeCampaigns: () => () => undefined });

/**
 * The console session's one live connection (GET /events), shared by every component that listens.
 * Mounted inside the signed-in console, so logging out (which unmounts it) closes the connection.
 * `enabled`: the member may see chats or campaign reports at all; otherwise there is nothing to hear.
 */
export function LiveUpdatesProvider({ enabled, sessionKey, children }: { enabled: boolean; sessionKey: string; children: ReactNode }) {
  const listeners = useRef(new Set<Listener>());
  const campaignListeners = useRef(new Set<CampaignListener>());
  const [status, setStatus] = useState<LiveStatus>("off");

  // biome-ignore lint/correctness/useExhaustiveDependencies: `sessionKey` (the member) reopens the stream with the new token.
  useEffect(() => {
    const token = sessionToken.read();
    if (!enabled || !token) {
      setStatus("off");
      return;
    }
    const broadcast = (signal: LiveSignal) => {
      for (const listener of listeners.current) listener(signal);
    };
    return openEventStream(token, {
      onEvent: broadcast,
      onCampaignProgress(event) {
        for (const listener of campaignListeners.current) listener(event);
      },
      onStatus(next, reconnected) {
        setStatus(next);
        // The server refused the stream (it ends a suspended or removed member's streams, and their
        // reconnect is answered 401/403): GET /me says why, and the session's listener shows the
        // locked screen or the login at once, without waiting for the member's next click.
        if (next === "stopped") void callApi("GET", "/me").catch(() => undefined);
        if (reconnected) broadcast({ type: "resync" });
      },
    });
  }, [enabled, sessionKey]);

  const subscribe = useCallback((listener: Listener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const subscribeCampaigns = useCallback((listener: CampaignListener) => {
    campaignListeners.current.add(listener);
    return () => {
      campaignListeners.current.delete(listener);
    };
  }, []);
  const api = useMemo<LiveApi>(() => ({ status, subscribe, subscribeCampaigns }), [status, subscribe, subscribeCampaigns]);
  return <LiveContext.Provider value={api}>{children}</LiveContext.Provider>;
}

/** Calls `listener` for every live signal while the component is mounted (always the latest listener). */
export function useLiveEvents(listener: Listener): void {
  const { subscribe } = useContext(LiveContext);
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => subscribe((signal) => latest.current(signal)), [subscribe]);
}

/** Calls `listener` for every `campaign.progress` the member may see while the component is mounted. */
export function useCampaignProgress(listener: CampaignListener): void {
  const { subscribeCampaigns } = useContext(LiveContext);
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => subscribeCampaigns((event) => latest.current(event)), [subscribeCampaigns]);
}

export function useLiveStatus(): LiveStatus {
  return useContext(LiveContext).status;
}

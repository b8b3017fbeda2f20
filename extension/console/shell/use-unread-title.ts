import { useEffect, useRef, useState } from "react";
import { callApi } from "../api/client";
import { useLiveEvents } from "../live/LiveUpdatesProvider";
import type { LiveSignal } from "../live/live-event";

/** The page's own title ("Switchboard admin console"), before any count is put in front of it. */
const baseTitle = typeof document === "undefined" ? "Switchboard" : document.title;
/** Live signals come in bursts (a customer sending three lines): one recount after the burst. */
const recountAfterMs = 250;

export type UnreadTotal = { unreadChats: number; cap: number };

/** Whether a live signal can change how many chats are unread for the member. */
function mayChangeUnread(signal: LiveSignal): boolean {
  if (signal.type === "resync" || signal.type === "chat.read_state" || signal.type === "chat.assigned" || signal.type === "chat.unassigned") return true;
  if (signal.visible === false) return true;
  return signal.type === "message.created" && signal.message?.direction === "in";
}

/** "(3) Switchboard admin console"; the cap shows as "99+". */
export function titleWithUnread(total: UnreadTotal | null): string {
  if (!total || total.unreadChats <= 0) return baseTitle;
  const count = total.unreadChats >= total.cap ? `${total.cap - 1}+` : String(total.unreadChats);
  return `(${count}) ${baseTitle}`;
}

/**
 * Keeps the tab title's count of unread chats (GET /me/unread, the member's own read state on the
 * server) current: counted again after live signals that may change it, in whatever section is open.
 */
export function useUnreadTitle(enabled: boolean): UnreadTotal | null {
  const [total, setTotal] = useState<UnreadTotal | null>(null);
  const [version, setVersion] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` is the trigger a live signal bumps.
  useEffect(() => {
    if (!enabled) return;
    let current = true;
    callApi<UnreadTotal>("GET", "/me/unread").then(
      (answer) => current && setTotal(answer),
      // The title simply keeps its last count; the inbox shows any real problem.
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [enabled, version]);

  useLiveEvents((signal) => {
    if (!enabled || !mayChangeUnread(signal)) return;
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setVersion((value) => value + 1), recountAfterMs);
  });

  useEffect(() => () => clearTimeout(timer.current), []);

  useEffect(() => {
    document.title = titleWithUnread(enabled ? total : null);
  }, [enabled, total]);
  useEffect(
    () => () => {
      document.title = baseTitle;
    },
    [],
  );
  return enabled ? total : null;
}

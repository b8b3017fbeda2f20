import { useEffect, useRef } from "react";
import { contactLabel } from "../inbox/format";
import { openChat } from "../inbox/selected-chat";
import { useLiveEvents } from "../live/LiveUpdatesProvider";
import { preferences } from "./preferences";

// Desktop notifications and a sound for a customer's new message in a chat the member is
// responsible for — each only when the member turned it on (Settings → Notifications, kept per
// member on the server), and not while they are looking at that very chat.

const chatHashPattern = /^#\/inbox\/([^/?#]+)/;
const openChatId = () => {
  const match = window.location.hash.match(chatHashPattern);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
};

/** A short two-note chime, made on the spot (no sound file to load or to be blocked). */
export function playChime(): void {
  const AudioContextClass = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!AudioContextClass) return;
  try {
    const context = new AudioContextClass();
    const start = context.currentTime;
    for (const [index, frequency] of [880, 1318.5].entries()) {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = "sine";
      oscillator.frequency.value = frequency;
      const at = start + index * 0.12;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.2, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.25);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(at);
      oscillator.stop(at + 0.3);
    }
    setTimeout(() => void context.close(), 800);
  } catch {
    // A browser that will not play (no audio device, autoplay policy): the notification still shows.
  }
}

/**
 * Alerts from one tab per browser: the tab holding the "switchboard.alerts" lock (Web Locks) speaks,
 * so three open tabs chime once; when it closes, the next takes over. Without Web Locks each tab does.
 */
function useAlertingTab() {
  const holds = useRef(false);
  useEffect(() => {
    if (!navigator.locks) {
      holds.current = true;
      return;
    }
    const controller = new AbortController();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    navigator.locks
      .request("switchboard.alerts", { signal: controller.signal }, () => {
        holds.current = true;
        return held;
      })
      .catch(() => undefined);
    return () => {
      holds.current = false;
      controller.abort();
      release();
    };
  }, []);
  return holds;
}

export function useNewMessageAlerts(meId: string): void {
  const alerting = useAlertingTab();
  useLiveEvents((signal) => {
    if (signal.type !== "message.created" || signal.message?.direction !== "in" || signal.chat.responsibleId !== meId) return;
    const settings = preferences.current();
    if (!settings || !alerting.current) return;
    const looking = document.visibilityState === "visible" && document.hasFocus() && openChatId() === signal.chat.id;
    if (looking) return;
    const chat = signal.chat;
    if (settings.desktopNotifications && "Notification" in window && Notification.permission === "granted") {
      const notification = new Notification(contactLabel(chat), {
        body: signal.message.text.length > 140 ? `${signal.message.text.slice(0, 139)}…` : signal.message.text,
        // One notification per chat: a second message replaces the first instead of stacking.
        tag: `switchboard-chat-${chat.id}`,
      });
      notification.onclick = () => {
        window.focus();
        openChat(chat.id);
        notification.close();
      };
    }
    if (settings.notificationSound) playChime();
  });
}

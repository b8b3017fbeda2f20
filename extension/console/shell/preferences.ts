import { useSyncExternalStore } from "react";
import { callApi } from "../api/client";

// The member's own settings (GET/PATCH /me/preferences), kept on the server so they are the same
// on every device; one copy per signed-in console, read by the Settings card and the alerts.

export type Preferences = { desktopNotifications: boolean; notificationSound: boolean };

let current: Preferences | null = null;
const listeners = new Set<() => void>();
const set = (next: Preferences | null) => {
  current = next;
  for (const listener of listeners) listener();
};

export const preferences = {
  /** The settings as last read or saved; null until loaded. */
  current: (): Preferences | null => current,
  async load(): Promise<void> {
    set(await callApi<Preferences>("GET", "/me/preferences"));
  },
  async save(change: Partial<Preferences>): Promise<Preferences> {
    const saved = await callApi<Preferences>("PATCH", "/me/preferences", change);
    set(saved);
    return saved;
  },
  forget(): void {
    set(null);
  },
};

export function usePreferences(): Preferences | null {
  return useSyncExternalStore(
    (onChange) => {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
    () => current,
  );
}

import * as sdkModule from "@pipedrive/app-extensions-sdk";
import { Command, Event, Modal } from "@pipedrive/app-extensions-sdk";
import type { Theme } from "./iframe-params";

// Pipedrive hides an iframe whose SDK has not initialized within 10 s (pipedrive.md §2.1), so the
// SDK is created and initialized at module load, before React renders or anything is fetched.

export type SurfaceHost = {
  /** Resolves once Pipedrive answered `initialize`; never resolves outside Pipedrive. */
  ready: Promise<void>;
  theme: Theme;
  onThemeChange(listener: (theme: Theme) => void): () => void;
  resize(height: number): void;
  snackbar(message: string): void;
  /** A fresh Pipedrive-signed JWT (5 minutes); null when there is no host to ask. */
  signedToken(): Promise<string | null>;
  openCustomModal(actionId: string, data: Record<string, string>): Promise<"closed" | "submitted" | null>;
  closeModal(): void;
};

// The package is CommonJS with `exports.default`; depending on the bundler's interop the class is
// the default import or that import's `.default`.
type SdkClass = typeof sdkModule.default;
type AppExtensionsSDK = InstanceType<SdkClass>;
const AppExtensionsSDK: SdkClass = (sdkModule.default as unknown as { default?: SdkClass }).default ?? sdkModule.default;

const minPanelHeight = 100;
const maxPanelHeight = 750;

/** Connects to Pipedrive (or the simulator) as this iframe; a page opened outside Pipedrive gets a host that does nothing. */
export function connectToHost(initialHeight: number, initialTheme: Theme): SurfaceHost {
  let sdk: AppExtensionsSDK | null = null;
  try {
    sdk = new AppExtensionsSDK();
  } catch (error) {
    // "Missing custom UI identifier": opened outside Pipedrive. The page still works without host commands.
    console.warn("Switchboard: not inside Pipedrive", error);
  }
  const themeListeners = new Set<(theme: Theme) => void>();
  let theme: Theme = (sdk?.userSettings.theme as Theme | undefined) ?? initialTheme;
  let initialized = false;
  const ready = sdk
    ? sdk.initialize({ size: { height: clampHeight(initialHeight) } }).then(() => {
        initialized = true;
      })
    : new Promise<void>(() => {});
  sdk?.listen(Event.USER_SETTINGS_CHANGE, ({ data }) => {
    const next = (data as { theme?: string } | undefined)?.theme === "dark" ? "dark" : "light";
    theme = next;
    for (const listener of themeListeners) listener(next);
  });
  // Commands before initialization throw synchronously in the SDK; they are dropped (or wait) instead.
  const whenReady = async <T>(run: (host: AppExtensionsSDK) => Promise<T>): Promise<T | null> => {
    if (!sdk) return null;
    if (!initialized) await ready;
    return run(sdk);
  };
  let lastHeight = 0;
  return {
    ready,
    get theme() {
      return theme;
    },
    onThemeChange(listener) {
      themeListeners.add(listener);
      return () => themeListeners.delete(listener);
    },
    resize(height) {
      const clamped = clampHeight(height);
      if (clamped === lastHeight) return;
      lastHeight = clamped;
      void whenReady((host) => host.execute(Command.RESIZE, { height: clamped })).catch(() => {});
    },
    snackbar(message) {
      void whenReady((host) => host.execute(Command.SHOW_SNACKBAR, { message })).catch(() => {});
    },
    async signedToken() {
      const answer = await whenReady((host) => host.execute(Command.GET_SIGNED_TOKEN));
      return answer?.token ?? null;
    },
    async openCustomModal(actionId, data) {
      const answer = await whenReady((host) => host.execute(Command.OPEN_MODAL, { type: Modal.CUSTOM_MODAL, action_id: actionId, data }));
      return answer?.status === "submitted" ? "submitted" : answer ? "closed" : null;
    },
    closeModal() {
      void whenReady((host) => host.execute(Command.CLOSE_MODAL)).catch(() => {});
    },
  };
}

function clampHeight(height: number): number {
  return Math.min(maxPanelHeight, Math.max(minPanelHeight, Math.ceil(height)));
}

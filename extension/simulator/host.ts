// The host side of @pipedrive/app-extensions-sdk's postMessage protocol (pipedrive.md §2.5), as
// Pipedrive answers it: a command arrives with a MessagePort and gets one `{data}` or `{error}`;
// a listener keeps its port, and events are pushed into it; `track` messages carry no port.

export type HostEvents = {
  initialize(frame: HTMLIFrameElement, args: { size?: { height?: number } } | undefined): void;
  resize(frame: HTMLIFrameElement, args: { height?: number; width?: number }): void;
  snackbar(message: string): void;
  /** A new Pipedrive-signed JWT for the user the frame belongs to. */
  signedToken(frame: HTMLIFrameElement): Promise<string>;
  /** Opens a custom modal; resolves when it closes. */
  openModal(args: { type: string; action_id?: string; data?: Record<string, string> }): Promise<{ status: "closed" | "submitted"; id?: number }>;
  closeModal(frame: HTMLIFrameElement): void;
};

export type CommandRecord = { frame: string; type: string; command?: string; event?: string; args?: unknown };

export function startHost(frames: () => HTMLIFrameElement[], events: HostEvents) {
  const listeners = new Map<HTMLIFrameElement, Map<string, MessagePort[]>>();
  const log: CommandRecord[] = [];

  const onMessage = async (message: MessageEvent) => {
    // Replies travel on the private port; still, only our own iframes may command the host.
    const frame = frames().find((candidate) => candidate.contentWindow === message.source);
    const payload = (message.data as { payload?: { type?: string; command?: string; event?: string; args?: unknown } } | null)?.payload;
    if (!frame || !payload) return;
    const port = message.ports[0];
    log.push({ frame: frame.name, type: payload.type ?? "", command: payload.command, event: payload.event, args: payload.args });
    if (payload.type === "track" || !port) return;
    if (payload.type === "listener") {
      const byEvent = listeners.get(frame) ?? new Map<string, MessagePort[]>();
      listeners.set(frame, byEvent);
      byEvent.set(payload.event ?? "", [...(byEvent.get(payload.event ?? "") ?? []), port]);
      return;
    }
    try {
      port.postMessage(await answer(frame, payload.command ?? "", payload.args));
    } catch (error) {
      port.postMessage({ error: error instanceof Error ? error.message : String(error) });
    }
    port.close();
  };

  const answer = async (frame: HTMLIFrameElement, command: string, args: unknown): Promise<{ data?: unknown }> => {
    switch (command) {
      case "initialize":
        events.initialize(frame, args as { size?: { height?: number } } | undefined);
        return {};
      case "resize":
        events.resize(frame, (args ?? {}) as { height?: number });
        return {};
      case "show_snackbar":
        events.snackbar(String((args as { message?: unknown } | undefined)?.message ?? ""));
        return {};
      case "get_signed_token":
        return { data: { token: await events.signedToken(frame) } };
      case "open_modal":
        return { data: await events.openModal(args as { type: string }) };
      case "close_modal":
        events.closeModal(frame);
        return {};
      case "show_confirmation":
        return { data: { confirmed: window.confirm(String((args as { title?: unknown } | undefined)?.title ?? "Are you sure?")) } };
      case "get_metadata":
        return { data: { windowHeight: window.innerHeight, windowWidth: window.innerWidth } };
      default:
        throw new Error(`The simulator does not support ${command}`);
    }
  };

  const handler = (message: MessageEvent) => void onMessage(message);
  return {
    /** Starts answering; returns the stop function. */
    listen() {
      window.addEventListener("message", handler);
      return () => window.removeEventListener("message", handler);
    },
    log,
    /** Pushes an event (user_settings_change, visibility, close_custom_modal) to every frame listening for it. */
    emit(event: string, data: unknown) {
      for (const byEvent of listeners.values()) for (const port of byEvent.get(event) ?? []) port.postMessage({ data });
    },
    forget(frame: HTMLIFrameElement) {
      listeners.delete(frame);
    },
  };
}

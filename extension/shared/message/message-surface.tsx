import { createContext, type ReactNode, useContext } from "react";
import type { ContentMessage } from "./content-types";

type Method = "GET" | "PUT" | "DELETE";

/**
 * What the message content needs from the page showing it (the console's inbox, a CRM panel):
 * its API client, who is looking, and how the history takes an updated message.
 */
export type MessageSurface = {
  /** The page's own API client (the console's session, the panel's bearer); throws its ApiProblem. */
  call<Result>(method: Method, path: string, body?: unknown): Promise<Result>;
  /** The API base the media urls are relative to. */
  apiBase: string;
  me: { memberId: string; name: string };
  /** The customer's name as the chat shows it: "Photo from …", reactions, quotes. */
  customerName: string;
  /** The member may reply in this chat now (chats.reply and an open 24-hour window): they may react. */
  canReact: boolean;
  /** Whether this message is in the loaded history (a quote of it scrolls there). */
  isShown(messageId: string): boolean;
  /** A message the server answered with (a reaction's result) joins the history like a live update. */
  onUpdated(message: ContentMessage): void;
  /** A failed call, in one sentence. */
  describe(error: unknown): string;
};

const SurfaceContext = createContext<MessageSurface | null>(null);

export function MessageSurfaceProvider({ surface, children }: { surface: MessageSurface; children: ReactNode }) {
  return <SurfaceContext.Provider value={surface}>{children}</SurfaceContext.Provider>;
}

export function useMessageSurface(): MessageSurface {
  const surface = useContext(SurfaceContext);
  if (!surface) throw new Error("message content needs a <MessageSurfaceProvider> above it");
  return surface;
}

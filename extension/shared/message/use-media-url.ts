import { useCallback, useRef, useState } from "react";
import type { ContentMessage, MessageMedia } from "./content-types";
import { mediaHref } from "./content-words";
import { useMessageSurface } from "./message-surface";

/** A link that fails sooner than this after it was fetched is not an expired one: the file is broken. */
const freshLinkMs = 60_000;

type FreshLink = { replaced: string | null; url: string | null; fetchedAt: number; broken: boolean };

/**
 * The media's link, and what to do when the browser fails to load it: the signed link lives 15
 * minutes, so an element that errors asks GET /chats/{chatId}/messages/{messageId}/media for a
 * fresh one, once per link; a fresh link that fails at once means the file is `broken` (a chat
 * left open for hours still renews its link each time it has expired).
 */
export function useMediaUrl(message: ContentMessage, media: MessageMedia) {
  const surface = useMessageSurface();
  // A fresh link belongs to the link it replaced: a newer presentation (live update) starts over.
  const [fresh, setFresh] = useState<FreshLink | null>(null);
  const current = fresh?.replaced === media.url ? fresh : null;
  const asked = useRef<string | null | undefined>(undefined);

  const onError = useCallback(() => {
    if (current?.broken) return;
    if (current && Date.now() - current.fetchedAt < freshLinkMs) return setFresh({ ...current, broken: true });
    const failing = current ? current.url : media.url;
    if (asked.current === failing) return; // asked already: the answer is on its way
    asked.current = failing;
    const path = `/chats/${encodeURIComponent(message.chatId)}/messages/${encodeURIComponent(message.id)}/media`;
    surface.call<{ url: string; expiresAt: string }>("GET", path).then(
      // The same link again (signed within the same second) would fail the same way.
      (answer) => setFresh({ replaced: media.url, url: answer.url, fetchedAt: Date.now(), broken: answer.url === failing }),
      () => setFresh({ replaced: media.url, url: null, fetchedAt: Date.now(), broken: true }),
    );
  }, [current, media.url, message.chatId, message.id, surface]);

  const url = current ? current.url : media.url;
  return { href: url ? mediaHref(surface.apiBase, url) : null, broken: current?.broken ?? false, onError };
}

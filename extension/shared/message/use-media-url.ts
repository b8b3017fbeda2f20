import { useCallback, useRef, useState } from "react";
import type { ContentMessage, MessageMedia } from "./content-types";
import { mediaHref } from "./content-words";
import { useMessageSurface } from "./message-surface";

/**
 * The media's link, and what to do when the browser fails to load it: the signed link lives 15
 * minutes, so an element that errors asks GET /chats/{chatId}/messages/{messageId}/media for a
 * fresh one, once; failing again, the file is `broken`.
 */
export function useMediaUrl(message: ContentMessage, media: MessageMedia) {
  const surface = useMessageSurface();
  // A fresh link belongs to the link it replaced: a newer presentation (live update) starts over.
  const [fresh, setFresh] = useState<{ replaced: string | null; url: string | null; broken: boolean } | null>(null);
  const current = fresh?.replaced === media.url ? fresh : null;
  const refreshing = useRef<string | null | undefined>(undefined);

  const onError = useCallback(() => {
    if (current?.broken) return;
    if (current) return setFresh({ ...current, broken: true });
    if (refreshing.current === media.url) return; // asked already: the answer is on its way
    refreshing.current = media.url;
    const path = `/chats/${encodeURIComponent(message.chatId)}/messages/${encodeURIComponent(message.id)}/media`;
    surface.call<{ url: string; expiresAt: string }>("GET", path).then(
      (answer) => setFresh({ replaced: media.url, url: answer.url, broken: false }),
      () => setFresh({ replaced: media.url, url: null, broken: true }),
    );
  }, [current, media.url, message.chatId, message.id, surface]);

  const url = current ? current.url : media.url;
  return { href: url ? mediaHref(surface.apiBase, url) : null, broken: current?.broken ?? false, onError };
}

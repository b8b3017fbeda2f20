import { type RefObject, useEffect } from "react";

/**
 * Keeps a history at its newest message while a photo or a player in it finishes loading (files
 * have no size until then), as long as the member was at the bottom before it grew.
 */
export function useStickToBottom(scroller: RefObject<HTMLElement | null>) {
  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const atBottom = () => element.scrollHeight - element.scrollTop - element.clientHeight < 40;
    // Where the member was at their last scroll: growing content fires no scroll event.
    let pinned = atBottom();
    const onScroll = () => {
      pinned = atBottom();
    };
    const onLoaded = () => {
      if (pinned) element.scrollTop = element.scrollHeight;
    };
    element.addEventListener("scroll", onScroll, { passive: true });
    // load and loadedmetadata don't bubble: heard while capturing.
    element.addEventListener("load", onLoaded, true);
    element.addEventListener("loadedmetadata", onLoaded, true);
    return () => {
      element.removeEventListener("scroll", onScroll);
      element.removeEventListener("load", onLoaded, true);
      element.removeEventListener("loadedmetadata", onLoaded, true);
    };
  }, [scroller]);
}

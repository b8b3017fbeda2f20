import { type ReactNode, useState } from "react";
import type { SurfaceHost } from "./sdk";
import { useAutoResize, useHostTheme } from "./surface";

/** Every surface's frame: follows the host's theme and resizes the iframe to the content. */
export function Root({ host, children }: { host: SurfaceHost; children: ReactNode }) {
  const [element, setElement] = useState<HTMLDivElement | null>(null);
  useHostTheme(host);
  useAutoResize(host, element);
  return <div ref={setElement}>{children}</div>;
}

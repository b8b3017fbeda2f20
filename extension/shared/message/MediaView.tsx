import { useCallback, useEffect, useRef, useState } from "react";
import type { ContentMessage, MessageMedia } from "./content-types";
import { documentLabel, downloadHref, formatDuration, mediaAlt, mediaNoun } from "./content-words";
import { Lightbox } from "./Lightbox";
import { useMediaUrl } from "./use-media-url";

type MediaProps = { message: ContentMessage; media: MessageMedia; senderName: string };

/** A message's file as WhatsApp shows it: photos and stickers inline, players for audio and video, documents as a download. */
export function MediaView({ message, media, senderName }: MediaProps) {
  const { href, broken, onError } = useMediaUrl(message, media);
  const noun = mediaNoun(media);
  const needsLink = media.status === "ready" && !href && !broken;
  // Ready without a link (an older presentation): ask for one as if the link had failed.
  useEffect(() => {
    if (needsLink) onError();
  }, [needsLink, onError]);

  if (media.status === "loading" || needsLink) {
    return (
      <p className="media-state media-loading" role="status">
        <span className="media-spinner" aria-hidden="true" />
        Loading {noun}…
      </p>
    );
  }
  if (media.status === "failed" || broken || !href) {
    return <p className="media-state media-failed">This file could not be fetched{media.kind === "document" ? `: ${documentLabel(media)}` : ` (${noun})`}.</p>;
  }
  const alt = mediaAlt(media, senderName);
  switch (media.kind) {
    case "image":
      return <Photo href={href} alt={alt} onError={onError} />;
    case "sticker":
      return <img className="media-sticker" src={href} alt={`Sticker from ${senderName}`} onError={onError} />;
    case "audio":
      return <AudioPlayer href={href} label={alt} noun={noun} onError={onError} />;
    case "video":
      // biome-ignore lint/a11y/useMediaCaption: a customer's video comes without captions to offer.
      return <video className="media-video" controls preload="metadata" src={href} aria-label={alt} onError={onError} />;
    default:
      return (
        <a className="media-document" href={downloadHref(href)} download={media.fileName ?? true}>
          <span className="media-document-icon" aria-hidden="true">
            📄
          </span>
          <span className="media-document-name">{documentLabel(media)}</span>
        </a>
      );
  }
}

function Photo({ href, alt, onError }: { href: string; alt: string; onError(): void }) {
  const [open, setOpen] = useState(false);
  const trigger = useRef<HTMLButtonElement>(null);
  const returnFocus = useCallback(() => trigger.current?.focus(), []);
  return (
    <>
      <button type="button" className="media-photo" ref={trigger} onClick={() => setOpen(true)} aria-label={`${alt}: open full size`}>
        <img src={href} alt={alt} loading="lazy" onError={onError} />
      </button>
      {open && <Lightbox src={href} alt={alt} title={alt} onClose={() => setOpen(false)} returnFocus={returnFocus} />}
    </>
  );
}

function AudioPlayer({ href, label, noun, onError }: { href: string; label: string; noun: string; onError(): void }) {
  const [duration, setDuration] = useState<number | null>(null);
  return (
    <div className="media-audio">
      {/* biome-ignore lint/a11y/useMediaCaption: a voice note has no captions to offer. */}
      <audio
        controls
        preload="metadata"
        src={href}
        aria-label={label}
        onError={onError}
        onLoadedMetadata={(event) => {
          const seconds = event.currentTarget.duration;
          if (Number.isFinite(seconds)) setDuration(seconds);
        }}
      />
      <span className="media-audio-length">
        {noun[0]?.toUpperCase()}
        {noun.slice(1)}
        {duration !== null && ` · ${formatDuration(duration)}`}
      </span>
    </div>
  );
}

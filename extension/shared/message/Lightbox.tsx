import { useEffect, useId, useRef } from "react";

/**
 * A photo at full size in a modal dialog (the native <dialog>: focus kept inside, Escape closes).
 * Closing gives focus back to what opened it (`returnFocus`), even though unmounting skips the
 * dialog's own restore.
 */
export function Lightbox({ src, alt, title, onClose, returnFocus }: { src: string; alt: string; title: string; onClose(): void; returnFocus(): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const headingId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => returnFocus();
  }, [returnFocus]);
  return (
    // A click on the backdrop (the dialog itself, outside the figure) closes it too.
    // biome-ignore lint/a11y/useKeyWithClickEvents: Escape closes the dialog (onCancel); the click is a pointer convenience.
    <dialog
      ref={ref}
      className="lightbox"
      aria-labelledby={headingId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onClick={(event) => event.target === event.currentTarget && onClose()}
    >
      <div className="lightbox-bar">
        <h2 id={headingId} className="lightbox-title">
          {title}
        </h2>
        <button type="button" className="lightbox-close" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </div>
      <img className="lightbox-image" src={src} alt={alt} />
    </dialog>
  );
}

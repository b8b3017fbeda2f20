import { type ReactNode, useEffect, useId, useRef } from "react";

/** A modal dialog (the native <dialog>: focus trap, Escape closes) with a heading that names it. */
export function Dialog({ title, onClose, children }: { title: string; onClose(): void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const headingId = useId();
  // No close() on cleanup: it would fire "close" (and onClose) later; unmounting removes the dialog anyway.
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return (
    <dialog ref={ref} className="modal" aria-labelledby={headingId} onClose={onClose} onCancel={onClose}>
      <div className="modal-header">
        <h2 id={headingId}>{title}</h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </div>
      {children}
    </dialog>
  );
}

import { useId, useState } from "react";

/** A read-only value to paste somewhere else (Meta's app dashboard), with a Copy button. */
export function CopyField({ label, value }: { label: string; value: string }) {
  const id = useId();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      // No clipboard (an insecure origin): select the text so Ctrl+C copies it.
      (document.getElementById(id) as HTMLInputElement | null)?.select();
    }
  };
  return (
    <div className="field copy-field">
      <label htmlFor={id}>{label}</label>
      <div className="inline-form">
        <input id={id} readOnly value={value} onFocus={(event) => event.target.select()} />
        <button type="button" onClick={() => void copy()} aria-label={`Copy ${label}`}>
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
    </div>
  );
}

import { type FormEvent, useState } from "react";
import { TextField } from "../shared/fields";

export type TemplateContent = { name: string; languageCode: string; bodyParameters: string[] };

/** An approved WhatsApp template: its name, language and the values for {{1}}, {{2}}, … */
export function TemplateForm({ pending, onSend }: { pending: boolean; onSend(template: TemplateContent): Promise<boolean> }) {
  const [name, setName] = useState("");
  const [languageCode, setLanguageCode] = useState("en_US");
  const [parameters, setParameters] = useState<string[]>([]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await onSend({ name: name.trim(), languageCode: languageCode.trim(), bodyParameters: parameters })) {
      setName("");
      setParameters([]);
    }
  };
  const setParameter = (index: number, value: string) => setParameters((previous) => previous.map((parameter, at) => (at === index ? value : parameter)));

  return (
    <form className="template-form" aria-label="Send a template" onSubmit={(event) => void submit(event)}>
      <div className="template-fields">
        <TextField label="Template name" value={name} onChange={setName} required placeholder="order_update" />
        <TextField label="Language" value={languageCode} onChange={setLanguageCode} required placeholder="en_US" />
      </div>
      {parameters.map((parameter, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: parameters are positional ({{1}}, {{2}}, …).
        <div className="template-parameter" key={index}>
          <TextField label={`Parameter {{${index + 1}}}`} value={parameter} onChange={(value) => setParameter(index, value)} />
          <button
            type="button"
            className="link-button"
            aria-label={`Remove parameter ${index + 1}`}
            onClick={() => setParameters((previous) => previous.filter((_, at) => at !== index))}
          >
            Remove
          </button>
        </div>
      ))}
      <div className="form-actions">
        <button type="button" onClick={() => setParameters((previous) => [...previous, ""])}>
          Add parameter
        </button>
        <button type="submit" className="primary" disabled={pending || !name.trim() || !languageCode.trim()}>
          {pending ? "Sending…" : "Send template"}
        </button>
      </div>
    </form>
  );
}

import { type FormEvent, useId, useState } from "react";
import { pickerChoices, positionalParameterCount, templateReview } from "../../../server/whatsapp/template-review";
import { useApiQuery } from "../api/use-api-query";
import { TextField } from "../shared/fields";

export type TemplateContent = { name: string; languageCode: string; bodyParameters: string[] };

/** A template of the workspace (GET /templates) that names a WhatsApp template. */
type RegisteredTemplate = {
  id: string;
  name: string;
  body: string;
  source: "local" | "meta";
  metaTemplateName: string | null;
  metaLanguage: string | null;
  metaStatus: string | null;
};

/** The templates the member may use that name a WhatsApp template, with their review state; none if they may use none. */
function TemplatePicker({ onPick }: { onPick(template: RegisteredTemplate): void }) {
  const id = useId();
  const registered = useApiQuery<{ data: RegisteredTemplate[] }>("/templates?limit=100");
  const choices = pickerChoices(registered.data?.data ?? []);
  if (choices.length === 0) return null;
  return (
    <div className="field">
      <label htmlFor={id}>Registered template</label>
      <select
        id={id}
        value=""
        onChange={(event) => {
          const chosen = choices.find((template) => template.id === event.target.value);
          if (chosen) onPick(chosen);
        }}
      >
        <option value="">Choose a template…</option>
        {choices.map((template) => {
          const state = templateReview(template);
          return (
            <option key={template.id} value={template.id} disabled={!state.sendable}>
              {template.metaTemplateName} ({template.metaLanguage}) — {state.label}
            </option>
          );
        })}
      </select>
    </div>
  );
}

/** An approved WhatsApp template, picked from the registered ones or typed: its name, language and the values for {{1}}, {{2}}, … */
export function TemplateForm({
  pending,
  onSend,
  submitLabel = "Send template",
  ready = true,
}: {
  pending: boolean;
  onSend(template: TemplateContent): Promise<boolean>;
  submitLabel?: string;
  /** False while something outside the form (the New chat dialog's number) is missing. */
  ready?: boolean;
}) {
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
  const pick = (template: RegisteredTemplate) => {
    setName(template.metaTemplateName ?? "");
    setLanguageCode(template.metaLanguage ?? "");
    setParameters(Array.from({ length: positionalParameterCount(template.body) }, () => ""));
  };
  const setParameter = (index: number, value: string) => setParameters((previous) => previous.map((parameter, at) => (at === index ? value : parameter)));

  return (
    <form className="template-form" aria-label="Send a template" onSubmit={(event) => void submit(event)}>
      <TemplatePicker onPick={pick} />
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
        <button type="submit" className="primary" disabled={pending || !ready || !name.trim() || !languageCode.trim()}>
          {pending ? "Sending…" : submitLabel}
        </button>
      </div>
    </form>
  );
}

import { type FormEvent, useEffect, useId, useMemo, useState } from "react";
import { asProblem } from "../api/client";
import { problemSentence } from "./problem-words";
import {
  type ContactFacts,
  languagesOf,
  preferredLanguage,
  previewText,
  sendableTemplates,
  type TemplateChoice,
  type TemplateContent,
  type TemplateVariable,
  templateContent,
  templateTitle,
  templateVariables,
} from "./template-choice";

type TemplatePickerProps = {
  /** GET /templates through the surface's own client (the console's session, the panel's bearer). */
  loadTemplates(): Promise<TemplateChoice[]>;
  /** The WhatsApp account the message goes out from: only its WABA's templates can be sent. */
  accountId: string;
  contact: ContactFacts;
  pending: boolean;
  /** Resolves true once sent. */
  onSend(content: TemplateContent): Promise<boolean>;
  /** Shown as "Cancel" when the picker was opened on demand. */
  onCancel?: (() => void) | undefined;
  submitLabel?: string;
  /** False while something outside the picker (the New chat dialog's number) is missing. */
  ready?: boolean;
};

type Loaded = { kind: "loading" } | { kind: "refused"; sentence: string } | { kind: "loaded"; templates: TemplateChoice[] };

/**
 * Choose an approved template of the sending account in the chat's language, see its variables
 * filled from the contact (each editable) and the exact text the customer will read, then send.
 * One component for the console's inbox and the CRM panels: it only takes a loader and a sender.
 */
export function TemplatePicker({
  loadTemplates,
  accountId,
  contact,
  pending,
  onSend,
  onCancel,
  submitLabel = "Send template",
  ready = true,
}: TemplatePickerProps) {
  const id = useId();
  const [loaded, setLoaded] = useState<Loaded>({ kind: "loading" });
  const [language, setLanguage] = useState("");
  const [templateId, setTemplateId] = useState("");
  const [variables, setVariables] = useState<TemplateVariable[]>([]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: loaded once per picker; the loader is a new function each render.
  useEffect(() => {
    let current = true;
    loadTemplates().then(
      (templates) => current && setLoaded({ kind: "loaded", templates }),
      (error: unknown) => {
        if (!current) return;
        const problem = asProblem(error);
        const sentence =
          problem.status === 403
            ? "Your role may not use templates, so nothing can be sent here until the customer writes again."
            : problemSentence(problem.problem);
        setLoaded({ kind: "refused", sentence });
      },
    );
    return () => {
      current = false;
    };
  }, []);

  const sendable = useMemo(() => (loaded.kind === "loaded" ? sendableTemplates(loaded.templates, accountId) : []), [loaded, accountId]);
  const languages = languagesOf(sendable);
  const chosenLanguage = languages.includes(language) ? language : preferredLanguage(languages, typeof navigator === "undefined" ? [] : navigator.languages);
  const inLanguage = sendable.filter((template) => template.metaLanguage === chosenLanguage);
  const chosen = inLanguage.find((template) => template.id === templateId);

  const choose = (next: TemplateChoice | undefined) => {
    setTemplateId(next?.id ?? "");
    setVariables(next ? templateVariables(next.body, contact) : []);
  };
  const setValue = (key: string, value: string) =>
    setVariables((previous) => previous.map((variable) => (variable.key === key ? { ...variable, value } : variable)));
  const complete = variables.every((variable) => variable.value.trim());

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!chosen || !complete || pending || !ready) return;
    if (await onSend(templateContent(chosen, variables))) choose(undefined);
  };

  if (loaded.kind === "loading") return <p className="muted">Loading templates…</p>;
  if (loaded.kind === "refused")
    return (
      <p className="muted" role="note">
        {loaded.sentence}
      </p>
    );
  if (sendable.length === 0)
    return (
      <p className="muted" role="note">
        No approved template for this WhatsApp number yet. An Admin (or whoever connected the number) can sync its templates from Meta on the Templates page.
      </p>
    );

  return (
    <form className="template-picker" aria-label="Send a template" onSubmit={(event) => void submit(event)}>
      <div className="template-picker-choice">
        {languages.length > 1 && (
          <div className="field">
            <label htmlFor={`${id}-language`}>Language</label>
            <select
              id={`${id}-language`}
              value={chosenLanguage}
              onChange={(event) => {
                setLanguage(event.target.value);
                choose(undefined);
              }}
            >
              {languages.map((code) => (
                <option key={code} value={code}>
                  {code}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor={`${id}-template`}>Template</label>
          <select
            id={`${id}-template`}
            value={chosen?.id ?? ""}
            onChange={(event) => choose(inLanguage.find((template) => template.id === event.target.value))}
          >
            <option value="">Choose a template…</option>
            {inLanguage.map((template) => (
              <option key={template.id} value={template.id}>
                {templateTitle(template)}
                {template.metaCategory ? ` (${template.metaCategory.toLowerCase()})` : ""}
              </option>
            ))}
          </select>
        </div>
      </div>
      {chosen && (
        <>
          {variables.map((variable) => (
            <div className="field" key={variable.key}>
              <label htmlFor={`${id}-var-${variable.key}`}>{variable.label}</label>
              <input
                id={`${id}-var-${variable.key}`}
                value={variable.value}
                dir="auto"
                required
                onChange={(event) => setValue(variable.key, event.target.value)}
              />
            </div>
          ))}
          <section className="template-preview" aria-label="Preview">
            <p dir="auto">{previewText(chosen.body, variables)}</p>
          </section>
        </>
      )}
      <div className="form-actions">
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" className="primary" disabled={pending || !ready || !chosen || !complete}>
          {pending ? "Sending…" : submitLabel}
        </button>
      </div>
    </form>
  );
}

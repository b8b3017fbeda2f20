import { useEffect, useState } from "react";
import { pickerChoices, positionalParameterCount, templateReview } from "../../../server/whatsapp/template-review";
import type { PanelApi } from "./api";
import type { TemplateContent } from "./types";

/** A template of the workspace (GET /templates) as far as picking it goes. */
type RegisteredTemplate = {
  id: string;
  body: string;
  source: "local" | "meta";
  metaTemplateName: string | null;
  metaLanguage: string | null;
  metaStatus: string | null;
};

/**
 * The registered templates the member may use, each with its review state (pending and rejected
 * shown, not choosable); picking one fills the name, the language and a line per parameter. A
 * member who may use no templates (a 403) sees no picker and types the name.
 */
export function TemplatePicker({ api, onPick }: { api: PanelApi; onPick(template: TemplateContent): void }) {
  const [choices, setChoices] = useState<RegisteredTemplate[]>([]);
  useEffect(() => {
    let current = true;
    api.call<{ data: RegisteredTemplate[] }>("GET", "/templates?limit=100").then(
      (page) => current && setChoices(pickerChoices(page.data)),
      () => current && setChoices([]),
    );
    return () => {
      current = false;
    };
  }, [api]);
  if (choices.length === 0) return null;
  return (
    <div>
      <label htmlFor="template-picker">Registered template</label>
      <select
        id="template-picker"
        value=""
        onChange={(event) => {
          const chosen = choices.find((template) => template.id === event.target.value);
          if (!chosen) return;
          const bodyParameters = Array.from({ length: positionalParameterCount(chosen.body) }, () => "");
          onPick({ name: chosen.metaTemplateName ?? "", languageCode: chosen.metaLanguage ?? "", bodyParameters });
        }}
      >
        <option value="">Choose a template…</option>
        {choices.map((template) => {
          const review = templateReview(template);
          return (
            <option key={template.id} value={template.id} disabled={!review.sendable}>
              {template.metaTemplateName} ({template.metaLanguage}) — {review.label}
            </option>
          );
        })}
      </select>
    </div>
  );
}

import { exampleVariables, previewText, type TemplateChoice, templateTitle } from "../shared/template-choice";

/** Meta's review state in words; a template written here names one the member vouches for. */
function statusWords(template: TemplateChoice): string {
  if (template.source === "local") return "Written here";
  const status = (template.metaStatus ?? "unknown").toLowerCase();
  return status.charAt(0).toUpperCase() + status.slice(1);
}

const category = (template: TemplateChoice) => (template.metaCategory ? template.metaCategory.charAt(0) + template.metaCategory.slice(1).toLowerCase() : "—");

/** The templates with their review state, language, category and the text with example values. */
export function TemplateTable({ templates }: { templates: TemplateChoice[] }) {
  const sorted = [...templates].sort((a, b) => templateTitle(a).localeCompare(templateTitle(b)) || `${a.metaLanguage}`.localeCompare(`${b.metaLanguage}`));
  return (
    <table className="data-table template-table">
      <thead>
        <tr>
          <th scope="col">Template</th>
          <th scope="col">Language</th>
          <th scope="col">Category</th>
          <th scope="col">Status</th>
          <th scope="col">Preview</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((template) => (
          <tr key={template.id} data-template={template.metaTemplateName ?? template.name}>
            <th scope="row">
              {templateTitle(template)}
              {template.metaTemplateName && <div className="muted">{template.metaTemplateName}</div>}
            </th>
            <td>{template.metaLanguage ?? "—"}</td>
            <td>{category(template)}</td>
            <td>
              <span className={`tag template-status-${(template.metaStatus ?? template.source).toLowerCase()}`}>{statusWords(template)}</span>
            </td>
            <td dir="auto">{previewText(template.body, exampleVariables(template.body))}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

import { useState } from "react";
import { templateReview } from "../../../server/whatsapp/template-review";
import { callApi } from "../api/client";
import { useAction } from "../api/use-action";
import { useApiList, useApiQuery } from "../api/use-api-query";
import type { WhatsAppAccount } from "../inbox/types";
import { SelectField, TextField } from "../shared/fields";
import { createIdempotentSender } from "../shared/idempotent-send";
import { ProblemMessage } from "../shared/ProblemMessage";
import { type HeaderMedia, HeaderMediaField } from "./HeaderMediaField";
import { PreviewPanel } from "./PreviewPanel";
import { RecipientsStep } from "./RecipientsStep";
import { type ColumnMapping, mappedCsv, type RecipientFile } from "./recipient-mapping";
import type { Campaign, CampaignPreview, CampaignSettings, Template } from "./types";

const accountLabel = (account: WhatsAppAccount) =>
  account.displayName === account.phoneNumber ? account.phoneNumber : `${account.displayName} (${account.phoneNumber})`;

/**
 * What a campaign may send: a template that names a WhatsApp one (outside the 24-hour window
 * WhatsApp takes nothing else, on the Cloud API and the sandbox alike) and is approved.
 */
const usable = (template: Template) => templateReview(template).sendable && Boolean(template.metaTemplateName && template.metaLanguage);
const templateLabel = (template: Template) =>
  `${template.metaTemplateName ? `${template.metaTemplateName} (${template.metaLanguage})` : template.name} — ${templateReview(template).label}`;

/**
 * A new campaign: a number the member may run campaigns from, a template they may use, recipients
 * from a CSV with its columns mapped, a schedule; the server's preview (first messages, rejected
 * rows, approval, caps) before the launch.
 */
export function CampaignBuilder({ onClose, onLaunched }: { onClose(): void; onLaunched(campaign: Campaign): void }) {
  const accounts = useApiList<WhatsAppAccount>("/whatsapp-accounts");
  const templates = useApiList<Template>("/templates");
  const settings = useApiQuery<CampaignSettings>("/campaign-settings");
  const usableAccounts = (accounts.data ?? []).filter((account) => account.canRunCampaigns);
  const [accountId, setAccountId] = useState("");
  const [templateId, setTemplateId] = useState("");
  const [name, setName] = useState("");
  const [file, setFile] = useState<RecipientFile | null>(null);
  const [mapping, setMapping] = useState<ColumnMapping | null>(null);
  const [when, setWhen] = useState<"now" | "later">("now");
  const [scheduledAt, setScheduledAt] = useState("");
  const [headerMedia, setHeaderMedia] = useState<HeaderMedia | null>(null);
  const [preview, setPreview] = useState<CampaignPreview>();
  const check = useAction();
  const launch = useAction();
  // One Idempotency-Key per launch body: Launch again after a lost answer, or a double click, launches once.
  const [launcher] = useState(createIdempotentSender);

  const account = usableAccounts.find((candidate) => candidate.id === (accountId || usableAccounts[0]?.id));
  const choices = (templates.data ?? []).filter(usable);
  const template = choices.find((candidate) => candidate.id === templateId);
  const changed =
    <Value,>(set: (value: Value) => void) =>
    (value: Value) => {
      set(value);
      setPreview(undefined);
    };
  const body = () =>
    account && template && file && mapping
      ? {
          accountId: account.id,
          templateId: template.id,
          recipientsCsv: mappedCsv(file, mapping),
          ...(name.trim() ? { name: name.trim() } : {}),
          ...(when === "later" && scheduledAt ? { scheduledAt: new Date(scheduledAt).toISOString() } : {}),
        }
      : null;
  const runPreview = () => {
    const request = body();
    if (request) void check.run(async () => setPreview(await callApi<CampaignPreview>("POST", "/campaigns/preview", request)));
    settings.reload();
  };
  const runLaunch = () => {
    const base = body();
    if (!base) return;
    // The header file goes with the launch only (the preview does not need its bytes).
    const request = headerMedia ? { ...base, headerMedia: { fileName: headerMedia.fileName, mimeType: headerMedia.mimeType, data: headerMedia.data } } : base;
    void launch.run(async () => {
      const answer = await launcher.send(request, (idempotencyKey) => callApi<{ campaign: Campaign }>("POST", "/campaigns", request, { idempotencyKey }));
      if (answer) onLaunched(answer.campaign);
    });
  };

  if (accounts.data && usableAccounts.length === 0) {
    return (
      <section className="campaign-builder" aria-label="New campaign">
        <p className="muted">You have no connected WhatsApp number you may run campaigns from.</p>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </section>
    );
  }
  return (
    <form className="campaign-builder" aria-label="New campaign" onSubmit={(event) => event.preventDefault()}>
      <h2>New campaign</h2>
      <ProblemMessage problem={accounts.problem ?? templates.problem} />
      <SelectField
        label="Send from"
        value={account?.id ?? ""}
        options={usableAccounts.map((candidate) => ({ value: candidate.id, label: accountLabel(candidate) }))}
        onChange={changed(setAccountId)}
      />
      <SelectField
        label="Template"
        value={template?.id ?? ""}
        options={[
          { value: "", label: choices.length ? "Choose a template" : "No approved template for this number" },
          ...choices.map((choice) => ({ value: choice.id, label: templateLabel(choice) })),
        ]}
        onChange={changed((id: string) => {
          setTemplateId(id);
          setMapping(null);
          setFile(null);
        })}
      />
      {template && (
        <div className="template-preview">
          <p dir="auto">{template.body}</p>
          {template.variables.length > 0 && <p className="muted">Variables: {template.variables.map((variable) => `{{${variable}}}`).join(", ")}</p>}
        </div>
      )}
      <TextField label="Campaign name (optional)" value={name} onChange={changed(setName)} />
      {template && (
        <RecipientsStep
          key={template.id}
          variables={template.variables}
          file={file}
          mapping={mapping}
          onFile={(nextFile, nextMapping) => {
            setFile(nextFile);
            setMapping(nextMapping);
            setPreview(undefined);
          }}
          onMapping={changed(setMapping)}
        />
      )}
      {template && <HeaderMediaField value={headerMedia} onChange={setHeaderMedia} />}
      <fieldset className="campaign-step">
        <legend>When</legend>
        <label>
          <input type="radio" name="campaign-when" checked={when === "now"} onChange={() => changed(setWhen)("now")} /> Send now
        </label>
        <label>
          <input type="radio" name="campaign-when" checked={when === "later"} onChange={() => changed(setWhen)("later")} /> At a time
        </label>
        {when === "later" && <TextField label="Start at" type="datetime-local" value={scheduledAt} onChange={changed(setScheduledAt)} />}
      </fieldset>
      <div className="button-row">
        <button type="button" disabled={!body() || check.pending} onClick={runPreview}>
          Check recipients
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <ProblemMessage problem={check.problem} />
      {preview && <PreviewPanel preview={preview} settings={settings.data} />}
      {preview && preview.recipientCount > 0 && !preview.overCap && (
        <div className="button-row">
          <button type="button" className="primary" disabled={launch.pending} onClick={runLaunch}>
            {preview.needsApproval ? "Submit for approval" : when === "later" ? "Schedule campaign" : "Launch campaign"}
          </button>
        </div>
      )}
      <ProblemMessage problem={launch.problem} />
    </form>
  );
}

import { sql } from "drizzle-orm";
import type { z } from "zod";
import { analyzeAfterBulkWrite } from "../datadir/maintenance";
import type { Executor } from "../db/client";
import { type CampaignTemplateSnapshot, campaignRecipients, campaigns } from "../db/schema";
import { publish } from "../events/bus";
import { conflict, HttpProblem, invalidRequest } from "../http/problem";
import type { Context } from "../http/route";
import type { Principal } from "../identity/tokens";
import { newId } from "../ids";
import type { AccountRow } from "../inbox/providers";
import { mediaStorageOf } from "../media/storage-of";
import { authorize, launchNeedsApproval, requirePermission } from "../permissions";
import type { CountryCode } from "../whatsapp/phone";
import { workspaceDefaultCountry } from "../workspace/default-country";
import { assertWithinCaps, lockCampaignSettings } from "./guard-rails";
import { storeHeaderMedia } from "./header-media";
import { loadAccountForCampaigns, loadCampaign, type TemplateRow } from "./queries";
import { type ParsedRecipients, recipientsFromCsv, requireVariables, screenRecipients } from "./recipients";
import type { LaunchCampaign } from "./schemas";
import { loadUsableTemplate } from "./template-routes";

type LaunchContext = Pick<Context<unknown, unknown, unknown, Principal>, "actor" | "db" | "audit" | "services">;
type LaunchBody = z.infer<typeof LaunchCampaign>;
const insertChunk = 2_000;
/**
 * A launch this large refreshes the planner's statistics of the queue table on PostgreSQL. Without
 * them (a young table, before autovacuum's next round) PostgreSQL can take the campaign's thousands
 * of rows for a handful and update one recipient through an index that walks them all: measured
 * with `npm run bench`, every send then got slower as the campaign went on, down to 60/s at 80/s.
 * On PGlite, which has no autovacuum, every launch applies its rule instead (analyzeAfterBulkWrite).
 */
const analyzeFromRecipients = 1_000;

/**
 * campaignLauncher: checks the account (campaigns.send), the template (templates.use) and the
 * recipients, then — in one transaction with its activity-log entry — applies the caps, decides
 * whether the campaign waits for approval or a schedule, and queues one row per recipient.
 */
export async function launchCampaign(context: LaunchContext, body: LaunchBody) {
  const { actor, db, audit, services } = context;
  const { account, template, recipients } = await screenLaunch(context, body);
  if (recipients.accepted.length === 0) {
    throw invalidRequest("No recipient can be sent to: every row is a duplicate or invalid.", rejectedErrors(recipients));
  }
  const scheduledAt = body.scheduledAt ? new Date(body.scheduledAt) : null;
  const startsLater = scheduledAt !== null && scheduledAt.getTime() > Date.now();
  // Checked against Meta's limits and stored before the transaction; a launch that fails removes it.
  const headerMedia = body.headerMedia ? await storeHeaderMedia(services, body.headerMedia) : undefined;
  const snapshot: CampaignTemplateSnapshot = {
    name: template.name,
    body: template.body,
    metaTemplateName: template.metaTemplateName,
    metaLanguage: template.metaLanguage,
    ...(headerMedia ? { headerMedia } : {}),
  };
  const campaignId = await db
    .transaction(async (tx) => {
      const settings = await lockCampaignSettings(tx, actor.workspaceId);
      await assertWithinCaps(tx, settings, actor, recipients.accepted.length);
      const awaitingApproval = launchNeedsApproval(actor, recipients.accepted.length, settings.approvalThreshold);
      const status = awaitingApproval ? "awaiting_approval" : startsLater ? "scheduled" : "running";
      const id = newId("cmp");
      await tx.insert(campaigns).values({
        workspaceId: actor.workspaceId,
        id,
        accountId: account.id,
        templateId: template.id,
        createdBy: actor.memberId,
        name: body.name ?? `${template.name} — ${new Date().toISOString().slice(0, 10)}`,
        status,
        scheduledAt,
        approvedBy: awaitingApproval || settings.approvalThreshold === null || recipients.accepted.length <= settings.approvalThreshold ? null : actor.memberId,
        recipientCount: recipients.accepted.length,
        template: snapshot,
        startedAt: status === "running" ? new Date() : null,
      });
      await queueRecipients(tx, actor.workspaceId, id, recipients);
      await audit(
        {
          action: "campaign.launch",
          targetType: "campaign",
          targetId: id,
          details: {
            accountId: account.id,
            templateId: template.id,
            recipients: recipients.accepted.length,
            duplicates: recipients.duplicates.length,
            invalid: recipients.invalid.length,
            status,
            scheduledAt: scheduledAt?.toISOString() ?? null,
            ...(headerMedia ? { headerMedia: { kind: headerMedia.kind, fileName: headerMedia.fileName, sizeBytes: headerMedia.sizeBytes } } : {}),
          },
        },
        tx,
      );
      // Wakes the dispatchers of every process (NOTIFY is delivered on commit).
      await publish(tx, { type: "campaign.progress", workspaceId: actor.workspaceId, campaignId: id });
      return id;
    })
    .catch(async (error: unknown) => {
      if (headerMedia) await mediaStorageOf(services).delete(headerMedia.storageKey);
      throw error;
    });
  if (services.database.engine === "postgres" && recipients.accepted.length >= analyzeFromRecipients) await db.execute(sql`analyze ${campaignRecipients}`);
  else await analyzeAfterBulkWrite(services.database);
  const campaign = await loadCampaign(db, actor.workspaceId, campaignId);
  if (!campaign) throw new Error("launched campaign vanished");
  return { campaign, rejected: { duplicates: recipients.duplicates, invalid: recipients.invalid } };
}

/**
 * Everything a launch decides before it stores anything, in the launch's order: the template
 * permission, the account (campaigns.send), the template (templates.use), that the account can
 * send it, and the recipients (normalized, deduplicated, each with every variable filled).
 * POST /campaigns/preview answers from this alone, so a preview refuses what a launch would.
 */
export async function screenLaunch(context: Pick<LaunchContext, "actor" | "db">, body: LaunchBody) {
  const { actor, db } = context;
  // The route gates campaigns.send; the template needs templates.use, also before any lookup.
  requirePermission(actor, "templates.use");
  const account = await loadAccountForCampaigns(db, actor, body.accountId);
  authorize(actor, "campaigns.send", { workspaceId: account.workspaceId, id: account.id, connectedBy: account.connectedBy });
  const template = await loadUsableTemplate(db, actor, body.templateId);
  assertSendable(account, template);
  // Numbers without a country code are read in the launch's country, else the workspace's.
  const defaultCountry = (body.defaultCountry as CountryCode | undefined) ?? (await workspaceDefaultCountry(db, actor.workspaceId)) ?? undefined;
  const screened = screenRecipients(body.recipients ?? recipientsFromCsv(body.recipientsCsv ?? ""), { defaultCountry });
  return { account, template, defaultCountry: defaultCountry ?? null, recipients: requireVariables(screened, template.body) };
}

/**
 * A campaign reaches people outside their 24-hour window, where WhatsApp takes only an approved
 * template: on the Cloud API and on the sandbox, which behaves like it (its registered templates).
 */
function assertSendable(account: AccountRow, template: TemplateRow) {
  if (account.status !== "connected") throw conflict(`The WhatsApp account ${account.phoneNumber} is disconnected; reconnect it to send.`);
  if (!template.metaTemplateName || !template.metaLanguage) {
    throw new HttpProblem(
      422,
      "unprocessable",
      "WhatsApp template required",
      "Campaigns are sent with a WhatsApp-approved template (outside the 24-hour window WhatsApp takes nothing else): map this template to one (metaTemplateName, metaLanguage) or sync the account's templates.",
    );
  }
  if (template.source === "meta" && template.metaStatus !== "APPROVED") {
    throw new HttpProblem(
      422,
      "unprocessable",
      "Template not approved",
      `Meta reports this template as ${template.metaStatus ?? "unknown"}; only approved templates can be sent.`,
    );
  }
}

async function queueRecipients(tx: Executor, workspaceId: string, campaignId: string, recipients: ParsedRecipients) {
  const rows = recipients.accepted.map((recipient, index) => ({
    workspaceId,
    campaignId,
    seq: index + 1,
    phone: recipient.phone,
    name: recipient.name,
    variables: recipient.variables,
  }));
  for (let start = 0; start < rows.length; start += insertChunk) {
    await tx.insert(campaignRecipients).values(rows.slice(start, start + insertChunk));
  }
}

function rejectedErrors(recipients: ParsedRecipients) {
  const rows = [
    ...recipients.duplicates.map((row) => ({ row: row.row, message: `duplicate of row ${row.firstRow}` })),
    ...recipients.invalid.map((row) => ({ row: row.row, message: row.reason })),
  ].sort((a, b) => a.row - b.row);
  return rows.slice(0, 50).map((row) => ({ path: `recipients.${row.row}`, message: row.message }));
}

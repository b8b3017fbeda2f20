import { and, desc, eq } from "drizzle-orm";
import type { Executor } from "../db/client";
import { campaigns } from "../db/schema";
import { requires, route } from "../http/route";
import { afterKeyset, decodeCursor, IdParam, page } from "../http/schemas";
import type { Principal } from "../identity/tokens";
import { scope } from "../permissions";
import { type CampaignTransition, transitionCampaign } from "./control";
import { launchCampaign } from "./launcher";
import { presentCampaign } from "./presenters";
import { previewCampaign, rejectedAsSeenBy } from "./preview";
import { type CampaignWithAccount, campaignsWithAccount, countsOf, flattenCampaign, loadVisibleCampaign } from "./queries";
import { campaignReportCsv } from "./report";
import { CampaignListQuery, LaunchCampaign } from "./schemas";

/** Campaigns with their live counts, as the API shows them to `actor`. */
async function presentAll(db: Executor, actor: Principal, rows: CampaignWithAccount[]) {
  const counts = await countsOf(
    db,
    actor.workspaceId,
    rows.map((row) => row.id),
  );
  return rows.map((row) => presentCampaign(row, counts.get(row.id) ?? { queued: 0, sent: 0, delivered: 0, read: 0, failed: 0, skipped: 0 }, actor));
}

const transitionRoute = (transition: CampaignTransition, summary: string, permission: "campaigns.send" | "team.manage") =>
  route({
    method: "post",
    path: `/campaigns/:id/${transition}`,
    summary,
    tag: "Campaigns",
    access: requires(permission),
    params: IdParam,
    responses: { 200: "{campaign}", 409: "The campaign's state does not allow it" },
    async handler(context) {
      const campaign = await transitionCampaign(context, context.params.id, transition);
      const [presented] = await presentAll(context.db, context.actor, [campaign]);
      return { status: 200, body: { campaign: presented } };
    },
  });

export const campaignRoutes = [
  route({
    method: "post",
    path: "/campaigns",
    summary: "Launch a campaign from an account campaigns.send covers, with a template templates.use allows",
    tag: "Campaigns",
    access: requires("campaigns.send"),
    body: LaunchCampaign,
    // Recipients (CSV up to 5 MB) and a header file of up to 16 MB, base64.
    bodyLimit: "30mb",
    idempotent: true,
    ownTransactions: true,
    responses: {
      202: "{campaign, rejected: {duplicates, invalid}}: queued, scheduled or awaiting approval",
      409: "The account is disconnected",
      422: "A Cloud API account needs a Meta-approved template",
      429: "Over the workspace's or the role's daily recipient cap (Retry-After: midnight UTC)",
    },
    async handler(context) {
      const { campaign, rejected } = await launchCampaign(context, context.body);
      const [presented] = await presentAll(context.db, context.actor, [campaign]);
      return { status: 202, body: { campaign: presented, rejected: rejectedAsSeenBy(context.actor, rejected) } };
    },
  }),
  route({
    method: "post",
    path: "/campaigns/preview",
    summary: "What POST /campaigns would do with this body, checked the same way, without storing anything",
    tag: "Campaigns",
    access: requires("campaigns.send"),
    body: LaunchCampaign,
    // Recipients (CSV up to 5 MB) and a header file of up to 16 MB, base64.
    bodyLimit: "30mb",
    auditExempt: "Checks and reads; stores nothing",
    responses: {
      200: "{recipientCount, sample: [{row, phone, name, text}], rejected: {duplicates, invalid}, needsApproval, overCap}",
      409: "The account is disconnected",
      422: "A Cloud API account needs a Meta-approved template",
    },
    async handler(context) {
      return { status: 200, body: await previewCampaign(context, context.body) };
    },
  }),
  route({
    method: "get",
    path: "/campaigns",
    summary: "The campaigns whose reports the caller may see (campaigns.reports), newest first",
    tag: "Campaigns",
    access: requires("campaigns.reports"),
    query: CampaignListQuery,
    responses: { 200: "{data: [campaign], nextCursor}" },
    async handler({ actor, query, db }) {
      const after = decodeCursor(query.cursor, 2);
      const rows = (
        await campaignsWithAccount(db)
          .where(
            and(
              scope(actor, "campaigns.reports"),
              query.status ? eq(campaigns.status, query.status) : undefined,
              query.accountId ? eq(campaigns.accountId, query.accountId) : undefined,
              afterKeyset(campaigns.createdAt, campaigns.id, after, "desc"),
            ),
          )
          .orderBy(desc(campaigns.createdAt), desc(campaigns.id))
          .limit(query.limit + 1)
      ).map(flattenCampaign);
      const presented = await presentAll(db, actor, rows.slice(0, query.limit));
      const listed = page(
        rows,
        query.limit,
        (row) => [row.createdAtText, row.id],
        (row) => row.id,
      );
      return { status: 200, body: { data: presented, nextCursor: listed.nextCursor } };
    },
  }),
  route({
    method: "get",
    path: "/campaigns/:id",
    summary: "One campaign with its progress (404 outside campaigns.reports)",
    tag: "Campaigns",
    access: requires("campaigns.reports"),
    params: IdParam,
    responses: { 200: "{id, accountId, createdBy, status, counts: {queued, sent, delivered, read, failed, skipped}, …, abilities}" },
    async handler({ actor, params, db }) {
      const [presented] = await presentAll(db, actor, [await loadVisibleCampaign(db, actor, params.id)]);
      return { status: 200, body: presented };
    },
  }),
  route({
    method: "get",
    path: "/campaigns/:id/report",
    summary: "The campaign report as CSV, one row per recipient (the download is logged)",
    tag: "Campaigns",
    access: requires("campaigns.reports"),
    params: IdParam,
    responses: { 200: "text/csv: phone, name, status, error, sentAt, deliveredAt, readAt" },
    async handler({ actor, params, db, audit }) {
      const campaign = await loadVisibleCampaign(db, actor, params.id);
      const report = await campaignReportCsv(db, actor, campaign.id);
      await audit({ action: "export.campaign_report", targetType: "campaign", targetId: campaign.id, details: { rows: report.rows } });
      return { status: 200, csv: report.csv, filename: `campaign-${campaign.id}.csv` };
    },
  }),
  transitionRoute("pause", "Pause a campaign (its creator, or campaigns.send on its account); sends in flight finish", "campaigns.send"),
  transitionRoute("resume", "Resume a paused campaign (campaigns.send on its account)", "campaigns.send"),
  transitionRoute("cancel", "Cancel a campaign (its creator, or campaigns.send on its account); queued recipients are skipped", "campaigns.send"),
  transitionRoute("approve", "Approve a campaign waiting for approval (team.manage)", "team.manage"),
  transitionRoute("reject", "Reject a campaign waiting for approval (team.manage); nothing is sent", "team.manage"),
];

import type { z } from "zod";
import { HttpProblem } from "../http/problem";
import type { Context } from "../http/route";
import type { Principal } from "../identity/tokens";
import { launchNeedsApproval, maskNumbersIn, maySeeNumbers, presentPhone } from "../permissions";
import { assertWithinCaps, readCampaignSettings } from "./guard-rails";
import { screenLaunch } from "./launcher";
import type { LaunchCampaign } from "./schemas";
import { fillTemplate, recipientValues } from "./variables";

/** How many accepted recipients a preview shows with their filled message. */
export const previewSampleSize = 5;

type PreviewContext = Pick<Context<unknown, unknown, unknown, Principal>, "actor" | "db">;

/**
 * A launch's answer without the launch: the same checks (so a preview is refused where a launch
 * would be), then what would be queued — the first few messages as each recipient would get them,
 * every rejected row — and the guard rails: whether it would wait for approval, and the cap it
 * would break today (the launch decides again, under its lock). Nothing is stored.
 */
export async function previewCampaign(context: PreviewContext, body: z.infer<typeof LaunchCampaign>) {
  const { actor, db } = context;
  const { template, recipients, defaultCountry } = await screenLaunch(context, body);
  const nationalRows = recipients.accepted.filter((recipient) => recipient.national).map((recipient) => recipient.row);
  const settings = await readCampaignSettings(db, actor.workspaceId);
  let overCap: string | null = null;
  if (recipients.accepted.length > 0) {
    try {
      await assertWithinCaps(db, settings, actor, recipients.accepted.length);
    } catch (error) {
      if (!(error instanceof HttpProblem) || error.status !== 429) throw error;
      overCap = error.detail;
    }
  }
  return {
    recipientCount: recipients.accepted.length,
    sample: recipients.accepted.slice(0, previewSampleSize).map((recipient) => ({
      row: recipient.row,
      phone: presentPhone(actor, recipient.phone),
      name: recipient.name,
      text: fillTemplate(template.body, recipientValues(recipient)),
    })),
    rejected: rejectedAsSeenBy(actor, { duplicates: recipients.duplicates, invalid: recipients.invalid }),
    /** Which rows had no country code and were read in the default country (the first 100 of them). */
    readWithDefaultCountry:
      defaultCountry && nationalRows.length > 0 ? { country: defaultCountry, count: nationalRows.length, rows: nationalRows.slice(0, 100) } : null,
    needsApproval: launchNeedsApproval(actor, recipients.accepted.length, settings.approvalThreshold),
    overCap,
  };
}

/** The rejected rows as the caller may see them: their numbers masked without contacts.view_numbers, even though they gave them. */
export function rejectedAsSeenBy<Rejected>(actor: Principal, rejected: Rejected): Rejected {
  return maySeeNumbers(actor) ? rejected : maskNumbersIn(rejected);
}

import { and, eq, sql } from "drizzle-orm";
import { decryptSecret } from "../crypto/secrets";
import type { Executor } from "../db/client";
import { templates } from "../db/schema";
import { conflict } from "../http/problem";
import { newId } from "../ids";
import type { AccountRow } from "../inbox/providers";
import { sandboxTemplates } from "../inbox/sandbox-templates";
import type { Services } from "../services";
import { CloudApiError, type MessageTemplate } from "../whatsapp/cloud-client";
import type { TemplateRow } from "./queries";

/**
 * Fetches the WhatsApp Business Account's templates (outside any transaction): the Graph API's for
 * a Cloud API account, the sandbox's own registered ones (server/inbox/sandbox-templates.ts) for a sandbox line.
 */
export async function fetchMetaTemplates(services: Services, account: AccountRow): Promise<MessageTemplate[]> {
  if (account.provider === "sandbox") {
    if (account.status !== "connected") throw conflict(`The WhatsApp account ${account.phoneNumber} is disconnected; reconnect it to sync its templates.`);
    return [...sandboxTemplates];
  }
  if (account.status !== "connected" || !account.cloudWabaId || !account.accessTokenEncrypted) {
    throw conflict(`The WhatsApp account ${account.phoneNumber} is disconnected; reconnect it to sync its templates.`);
  }
  try {
    return await services.cloud.listTemplates({
      wabaId: account.cloudWabaId,
      accessToken: decryptSecret(services.config.encryptionKey, account.accessTokenEncrypted),
    });
  } catch (error) {
    if (!(error instanceof CloudApiError)) throw error;
    throw conflict(`Meta's Graph API refused the template list${error.code ? ` (${error.code})` : ""}: ${error.details ?? error.message}`);
  }
}

/**
 * Stores the account's templates as `meta` templates owned by the syncing member (one per name
 * and language), whatever their review state, so the library shows what is pending or rejected;
 * and refreshes the Meta status of ones synced before, so a template Meta has since paused or
 * disabled can no longer be sent (server/whatsapp/template-review.ts).
 */
export async function storeMetaTemplates(tx: Executor, workspaceId: string, ownerId: string, accountId: string, fetched: MessageTemplate[]) {
  const stored: TemplateRow[] = [];
  let imported = 0;
  for (const template of fetched) {
    const key = and(
      eq(templates.workspaceId, workspaceId),
      eq(templates.ownerId, ownerId),
      eq(templates.source, "meta"),
      eq(templates.metaTemplateName, template.name),
      eq(templates.metaLanguage, template.language),
    );
    const [existing] = await tx.select().from(templates).where(key);
    if (existing) {
      const [updated] = await tx
        .update(templates)
        .set({
          metaStatus: template.status,
          metaCategory: template.category,
          accountId,
          ...(template.bodyText ? { body: template.bodyText } : {}),
          updatedAt: sql`now()`,
        })
        .where(key)
        .returning();
      if (updated) stored.push(updated);
      continue;
    }
    const [inserted] = await tx
      .insert(templates)
      .values({
        workspaceId,
        id: newId("tpl"),
        ownerId,
        name: `${template.name} (${template.language})`,
        body: template.bodyText ?? template.name,
        metaTemplateName: template.name,
        metaLanguage: template.language,
        source: "meta",
        metaStatus: template.status,
        metaCategory: template.category,
        accountId,
      })
      .returning();
    if (inserted) {
      stored.push(inserted);
      imported++;
    }
  }
  return { stored, imported, refreshed: stored.length - imported };
}

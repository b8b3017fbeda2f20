import { and, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { templates, whatsappAccounts } from "../db/schema";
import { newId } from "../ids";
import { sandboxTemplates } from "../inbox/sandbox-templates";

/**
 * The sandbox's templates as the member would have them after syncing their own line, every
 * state included: the approved can be sent into a chat whose window has closed, the pending and
 * the rejected show why they cannot.
 */
export async function seedDemoTemplates(db: Database, workspaceId: string, ownerId: string) {
  const [line] = await db
    .select({ id: whatsappAccounts.id })
    .from(whatsappAccounts)
    .where(and(eq(whatsappAccounts.workspaceId, workspaceId), eq(whatsappAccounts.connectedBy, ownerId)));
  await db.insert(templates).values(
    sandboxTemplates.map((template) => ({
      workspaceId,
      id: newId("tpl"),
      ownerId,
      name: `${template.name} (${template.language})`,
      body: template.bodyText ?? template.name,
      metaTemplateName: template.name,
      metaLanguage: template.language,
      source: "meta" as const,
      metaStatus: template.status,
      metaCategory: template.category,
      accountId: line?.id ?? null,
    })),
  );
}

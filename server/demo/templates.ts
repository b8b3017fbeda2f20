import type { Database } from "../db/client";
import { templates } from "../db/schema";
import { newId } from "../ids";
import { sandboxTemplates } from "../inbox/sandbox-templates";

/**
 * The sandbox's templates as a member would have them after a sync, every state included (a
 * sync imports only approved ones): the approved can be sent into a chat whose window has
 * closed, the pending and the rejected show why they cannot.
 */
export async function seedDemoTemplates(db: Database, workspaceId: string, ownerId: string) {
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
    })),
  );
}

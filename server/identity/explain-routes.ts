import { z } from "zod";
import { campaignRecord, loadAccountForCampaigns, loadVisibleCampaign } from "../campaigns/queries";
import { loadUsableTemplate } from "../campaigns/template-routes";
import type { Executor } from "../db/client";
import { anyMember, route } from "../http/route";
import { chatRecord, loadVisibleChat } from "../inbox/queries";
import {
  type Decision,
  decide,
  decideOn,
  type Permission,
  permissionNames,
  type RecordAction,
  type RecordOf,
  type ResourceName,
  type ResourceOfAction,
  recordActions,
  resourceNames,
} from "../permissions";
import { loadVisibleAccount } from "../whatsapp/accounts";
import type { Principal } from "./tokens";

type RecordLoader<R extends ResourceName> = (db: Executor, actor: Principal, id: string) => Promise<RecordOf<R>>;

const visibleChat: RecordLoader<"chat"> = async (db, actor, id) => chatRecord(await loadVisibleChat(db, actor, id));

/**
 * Each record action's record, loaded as the action's own route loads it (through the member's SQL
 * visibility scope, 404 otherwise), so the answer is the one that route would give.
 */
const recordLoaders: { [A in RecordAction]: RecordLoader<ResourceOfAction<A>> } = {
  "chats.view": visibleChat,
  "chats.reply": visibleChat,
  "chats.assign": visibleChat,
  "chats.take_over": visibleChat,
  "messages.delete": visibleChat,
  "chats.start": async (db, actor, id) => loadVisibleAccount(db, actor, id),
  "campaigns.send": async (db, actor, id) => loadAccountForCampaigns(db, actor, id),
  "templates.use": async (db, actor, id) => loadUsableTemplate(db, actor, id),
  "campaigns.reports": async (db, actor, id) => campaignRecord(await loadVisibleCampaign(db, actor, id)),
};

const isRecordAction = (permission: Permission): permission is RecordAction => permission in recordActions;

export const ExplainQuery = z
  .object({
    permission: z.enum(permissionNames, { error: "not a permission of the catalogue" }),
    recordType: z.enum(resourceNames, { error: "not a kind of record" }).optional(),
    recordId: z.string().min(1).max(100).optional(),
  })
  .strict()
  .superRefine((query, context) => {
    if ((query.recordType === undefined) !== (query.recordId === undefined)) {
      context.addIssue({ code: "custom", path: [query.recordType ? "recordId" : "recordType"], message: "recordType and recordId go together" });
    } else if (query.recordType && (!isRecordAction(query.permission) || recordActions[query.permission].resource !== query.recordType)) {
      context.addIssue({ code: "custom", path: ["recordType"], message: `${query.permission} is not decided on a ${query.recordType}` });
    }
  });

async function decideOnRecord<A extends RecordAction>(db: Executor, actor: Principal, action: A, recordId: string): Promise<Decision> {
  const record = await recordLoaders[action](db, actor, recordId);
  return decideOn(actor, action, record);
}

export const explainRoutes = [
  route({
    method: "get",
    path: "/me/explain",
    summary: "Why the caller may or may not use a permission (on one record): the sentence a 403 would carry",
    tag: "Identity",
    access: anyMember,
    // The answer a suspended member gets is the suspended sentence, like every other route's 403.
    allowSuspended: true,
    query: ExplainQuery,
    responses: {
      200: "{allowed, permission, sentence}: a refusal's sentence is the detail of the 403 the action would get",
      404: "The record does not exist or the caller cannot see it",
    },
    async handler({ actor, query, db }) {
      // As every gated route: the gate (held at some level) before any lookup, then the visible record, then its rule.
      const gate = decide(actor, query.permission);
      const { allowed, sentence } =
        gate.allowed && query.recordId && isRecordAction(query.permission) ? await decideOnRecord(db, actor, query.permission, query.recordId) : gate;
      return { status: 200, body: { allowed, permission: query.permission, sentence } };
    },
  }),
];

import { and, eq } from "drizzle-orm";
import type { Executor } from "../db/client";
import { whatsappAccounts } from "../db/schema";
import { notFound } from "../http/problem";
import type { Principal } from "../identity/tokens";
import type { AccountRow } from "../inbox/providers";
import { type Actor, accountScope, can, canDisconnectAccount } from "../permissions";

/** Loads an account the actor may see, or answers 404. */
export async function loadVisibleAccount(db: Executor, actor: Principal, accountId: string): Promise<AccountRow> {
  const [account] = await db
    .select()
    .from(whatsappAccounts)
    .where(and(eq(whatsappAccounts.workspaceId, actor.workspaceId), eq(whatsappAccounts.id, accountId), accountScope(actor)));
  if (!account) throw notFound("WhatsApp account");
  return account;
}

/** An account as the API shows it: never its credentials; what the caller may do with it. */
export function presentAccount(account: AccountRow, actor: Actor) {
  const record = { workspaceId: account.workspaceId, id: account.id, connectedBy: account.connectedBy };
  const connected = account.status === "connected";
  return {
    id: account.id,
    phoneNumber: account.phoneNumber,
    displayName: account.displayName,
    provider: account.provider,
    connectedBy: account.connectedBy,
    status: account.status,
    statusReason: account.statusReason,
    canStartChats: connected && can(actor, "chats.start", record),
    canRunCampaigns: connected && can(actor, "campaigns.send", record),
    canDisconnect: connected && canDisconnectAccount(actor, record),
  };
}

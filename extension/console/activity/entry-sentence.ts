import type { AuditEntry } from "../api/types";

// One sentence per activity-log entry, with people and records by name; the raw details stay
// behind the "Details" toggle for whoever needs them.

/** What the page knows by id: members, roles and WhatsApp numbers. */
export type RecordNames = { member(id: string): string | undefined; role(id: string): string | undefined; account(id: string): string | undefined };

/** What each action did, as a verb phrase; the sentence is "<actor> <phrase>". */
const phrases: Record<string, (target: string, details: Details, names: RecordNames) => string> = {
  "workspace.create": () => "created the workspace",
  "session.create": () => "logged in",
  "session.delete": () => "logged out",
  "invitation.create": (_target, details, names) =>
    `invited ${text(details.email) ?? "someone"}${details.roleId ? ` as ${names.role(String(details.roleId)) ?? details.roleId}` : ""}`,
  "invitation.delete": () => "withdrew an invitation",
  "invitation.accept": () => "accepted an invitation and joined",
  "join_request.create": () => "asked to join",
  "join_request.accept": () => "accepted a request to join",
  "join_request.reject": () => "turned down a request to join",
  "member.role_change": (target, details, names) => {
    const roleId = text((details.after as Details | undefined)?.roleId);
    return roleId ? `made ${target} ${names.role(roleId) ?? roleId}` : `changed the role of ${target}`;
  },
  "member.suspend": (target) => `suspended ${target}`,
  "member.activate": (target) => `re-activated ${target}`,
  "member.remove": (target) => `removed ${target} from the workspace`,
  "role.create": (target) => `created the role ${target}`,
  "role.update": (target) => `changed the role ${target}`,
  "role.delete": (target) => `deleted the role ${target}`,
  "subscription.update": () => "changed the plan",
  "workspace.update": (_target, details) => workspaceChanges(details),
  "workspace.transfer": (target) => `handed the workspace's ownership to ${target}`,
  "api_token.create": () => "created an API token",
  "api_token.delete": () => "revoked an API token",
  "api_key.rotate": () => "replaced the workspace API key",
  "api_key.revoke": () => "revoked the workspace API key",
  "export.audit_log": () => "downloaded the activity log",
  "export.chats": () => "exported chats",
  "export.campaign_report": () => "downloaded a campaign report",
  "permission.denied": () => "was refused something their role does not allow",
  "whatsapp_account.connect": (target) => `connected the WhatsApp number ${target}`,
  "whatsapp_account.disconnect": (target) => `disconnected the WhatsApp number ${target}`,
  "whatsapp_account.access": (target, details, names) => {
    const subjectId = text(details.subjectId) ?? "";
    const subject = details.subjectType === "role" ? `the role ${names.role(subjectId) ?? subjectId}` : (names.member(subjectId) ?? "a member");
    const access = { full: "full", read: "read-only", none: "no" }[text(details.after) ?? ""];
    return access
      ? `gave ${subject} ${access} access to the WhatsApp number ${target}`
      : `gave ${subject} their role's access to the WhatsApp number ${target} again`;
  },
  "chat.start": () => "started a chat",
  "chat.assign": (_target, details, names) => {
    const memberId = text(details.responsibleId ?? (details.after as Details | undefined)?.responsibleId);
    return memberId ? `made ${names.member(memberId) ?? "a teammate"} responsible for a chat` : "assigned a chat";
  },
  "chat.unassign": () => "left a chat without a responsible",
  "chat.take_over_request": (_target, details, names) => {
    const heldBy = text(details.heldBy);
    return `asked to take over a chat${heldBy ? ` held by ${names.member(heldBy) ?? "a teammate"}` : ""}`;
  },
  "message.send": () => "sent a message",
  "message.react": (_target, details) => (text(details.after) ? `reacted ${text(details.after)} to a message` : "reacted to a message"),
  "message.unreact": () => "took back a reaction to a message",
  "message.delete": (_target, details) => deletedMessagePhrase(details),
  "template.create": () => "added a template",
  "template.update": () => "changed a template",
  "template.delete": () => "deleted a template",
  "template.sync": () => "synced templates from Meta",
  "campaign.launch": () => "launched a campaign",
  "webhook.create": () => "added a webhook",
  "webhook.delete": () => "deleted a webhook",
  "webhook.enable": () => "turned a webhook on",
  "webhook.disable": () => "turned a webhook off",
  "webhook.delivery_retry": () => "retried a webhook delivery",
  "pipedrive.connect": () => "connected Pipedrive",
  "pipedrive.disconnect": () => "disconnected Pipedrive",
  "pipedrive.user_map": () => "linked a Pipedrive user",
  "hubspot.disconnect": () => "disconnected HubSpot",
  "hubspot.user_link": (_target, details) =>
    typeof details.hubspotUserId === "number"
      ? `linked HubSpot user ${details.hubspotUserId} to their account from the WhatsApp card`
      : "linked their HubSpot user",
  "hubspot.user_unlink": (target) => `removed the HubSpot link of ${target}`,
  "hubspot.chat_link": (_target, details) => `logged a chat under HubSpot deal ${text(details.dealId) ?? ""}`.trim(),
  "password.change": () => "changed their password",
  "password.reset": () => "reset their password",
  "profile.update": () => "changed their name",
  "preferences.update": () => "changed their notification settings",
};

type Details = Record<string, unknown>;
const text = (value: unknown): string | undefined => (typeof value === "string" && value ? value : undefined);

/** A deleted message's entry keeps what it said (its retained copy): the sentence quotes the start of it. */
function deletedMessagePhrase(details: Details): string {
  const message = details.message && typeof details.message === "object" ? (details.message as Details) : {};
  const said = text(message.text);
  const whose = message.direction === "in" ? "a customer's message" : "a message";
  if (!said) return `deleted ${whose}`;
  return `deleted ${whose}: “${said.length > 80 ? `${said.slice(0, 79)}…` : said}”`;
}

/** PATCH /workspace logs only the settings it changed, each with its before and after. */
const workspaceSettingPhrases: Record<string, (value: unknown) => string> = {
  defaultCountry: (country) =>
    text(country) ? `set the default country of typed phone numbers to ${text(country)}` : "cleared the default country of typed phone numbers",
  agentsSeeNumbers: (on) => (on === true ? "let Agents and Collaborators see contacts' full numbers" : "masked contacts' numbers for Agents and Collaborators"),
  ownershipLock: (on) => (on === true ? "turned the ownership lock on" : "turned the ownership lock off"),
};

function workspaceChanges(details: Details): string {
  const after = details.after && typeof details.after === "object" ? (details.after as Details) : {};
  const phrases = Object.entries(after).flatMap(([setting, value]) => workspaceSettingPhrases[setting]?.(value) ?? []);
  return phrases.length > 0 ? phrases.join(" and ") : "changed the workspace settings";
}

/** `whatsapp_account.disconnect` → "Whatsapp account disconnect": for actions without a phrase yet. */
export function actionLabel(action: string): string {
  const words = action.replace(/[._]/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function targetName(entry: AuditEntry, names: RecordNames): string {
  const id = entry.targetId;
  if (!id) return "";
  const named =
    entry.targetType === "member"
      ? names.member(id)
      : entry.targetType === "role"
        ? names.role(id)
        : entry.targetType === "whatsapp_account"
          ? names.account(id)
          : undefined;
  return named ?? `a ${actionLabel(entry.targetType ?? "record").toLowerCase()}`;
}

/** "Owner 1 suspended Agent 3." */
export function entrySentence(entry: AuditEntry, actor: string, names: RecordNames): string {
  const details = (entry.details && typeof entry.details === "object" ? entry.details : {}) as Details;
  const phrase = phrases[entry.action];
  const target = targetName(entry, names);
  const said = phrase ? phrase(target, details, names) : `${actionLabel(entry.action).toLowerCase()}${target ? ` (${target})` : ""}`;
  return `${actor} ${said}.`;
}

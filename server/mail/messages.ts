import type { MailContent } from "./outbox";

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (character) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[character] ?? character);

/** A short message: paragraphs, one button link, and the same as plain text. */
function compose(subject: string, paragraphs: string[], action: { label: string; url: string }, after: string[]): MailContent {
  const text = [...paragraphs, `${action.label}: ${action.url}`, ...after].join("\n\n");
  const html = [
    ...paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    `<p><a href="${escapeHtml(action.url)}">${escapeHtml(action.label)}</a></p>`,
    `<p style="color:#666">Or open this address: ${escapeHtml(action.url)}</p>`,
    ...after.map((paragraph) => `<p style="color:#666">${escapeHtml(paragraph)}</p>`),
  ].join("\n");
  return { subject, text, html };
}

/** The invitation: who invited them, to which workspace, as what, and the accept link. */
export function invitationMail(input: { workspaceName: string; inviterName: string; roleName: string; acceptUrl: string; expiresAt: Date }): MailContent {
  return compose(
    `${input.inviterName} invited you to ${input.workspaceName} on Switchboard`,
    [`${input.inviterName} invited you to join ${input.workspaceName} on Switchboard as ${input.roleName}.`],
    { label: "Accept the invitation", url: input.acceptUrl },
    [`The link works once and until ${input.expiresAt.toUTCString()}. If you did not expect this, ignore this e-mail.`],
  );
}

/** The password reset link. */
export function passwordResetMail(input: { name: string; resetUrl: string; validMinutes: number }): MailContent {
  return compose(
    "Reset your Switchboard password",
    [`Hello ${input.name},`, "someone (we hope you) asked to reset the password of your Switchboard account."],
    { label: "Choose a new password", url: input.resetUrl },
    [`The link works once, for ${input.validMinutes} minutes. If you did not ask for it, ignore this e-mail: your password stays as it is.`],
  );
}

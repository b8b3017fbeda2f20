import { decryptSecret } from "../crypto/secrets";
import type { whatsappAccounts } from "../db/schema";
import { newSecret } from "../ids";
import type { Services } from "../services";
import { CloudApiError } from "../whatsapp/cloud-client";
import { assertSandboxTemplateSendable } from "./sandbox-templates";

export type AccountRow = typeof whatsappAccounts.$inferSelect;

export type OutboundContent = { kind: "text"; text: string } | { kind: "template"; name: string; languageCode: string; bodyParameters: string[] };

const rateLimitAttempts = 4;

/** The words a message shows in the history. */
export function contentText(content: OutboundContent): string {
  return content.kind === "text" ? content.text : `[template ${content.name}] ${content.bodyParameters.join(" · ")}`.trim();
}

/**
 * Hands one message to the account's provider and returns the provider's message id.
 * Cloud: Meta's Graph API, backing off and retrying on 130429 (rate limited) up to
 * `rateLimitAttempts` calls in all; every other failure is a CloudApiError for the caller to
 * record. Sandbox: accepted at once if a template is one of its approved ones (sandbox-templates.ts). Campaigns pass 1: they back the whole number off instead.
 */
export async function deliverOutbound(
  services: Services,
  account: AccountRow,
  to: string,
  content: OutboundContent,
  messageId: string,
  options: { rateLimitAttempts?: number } = {},
): Promise<string> {
  if (account.provider === "sandbox") {
    assertSandboxTemplateSendable(content);
    return `sbx.${newSecret().slice(0, 24)}`;
  }
  const phoneNumberId = account.cloudPhoneNumberId;
  if (!phoneNumberId || !account.accessTokenEncrypted) throw new Error(`Cloud account ${account.id} has no credentials`);
  const accessToken = decryptSecret(services.config.encryptionKey, account.accessTokenEncrypted);
  for (let attempt = 1; ; attempt++) {
    try {
      const accepted =
        content.kind === "text"
          ? await services.cloud.sendText({ phoneNumberId, accessToken, to, body: content.text, callbackData: messageId })
          : await services.cloud.sendTemplate({
              phoneNumberId,
              accessToken,
              to,
              templateName: content.name,
              languageCode: content.languageCode,
              bodyParameters: content.bodyParameters,
              callbackData: messageId,
            });
      return accepted.wamid;
    } catch (error) {
      const backOff = error instanceof CloudApiError && error.kind === "rate_limited" && attempt < (options.rateLimitAttempts ?? rateLimitAttempts);
      if (!backOff) throw error;
      await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs ?? 250 * 2 ** attempt));
    }
  }
}

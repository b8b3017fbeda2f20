/** GET /whatsapp-accounts/setup: what to enter at Meta, and what this server offers. */
export type NumberSetup = { webhookUrl: string; verifyToken: string | null; sandboxEnabled: boolean; sendRatePerSecond: number };

/** POST /whatsapp-accounts/check: Meta's answer for a token and a number. */
export type NumberCheck = {
  phoneNumberId: string;
  displayPhoneNumber: string | null;
  verifiedName: string | null;
  alreadyConnected: "this_workspace" | "another_workspace" | null;
};

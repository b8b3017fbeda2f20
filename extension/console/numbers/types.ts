/** GET /whatsapp-accounts/setup: what to enter at Meta, and what this server offers. */
export type NumberSetup = { webhookUrl: string; verifyToken: string | null; sandboxEnabled: boolean; sendRatePerSecond: number };

/** POST /whatsapp-accounts/check: Meta's answer for a token and a number. */
export type NumberCheck = {
  phoneNumberId: string;
  displayPhoneNumber: string | null;
  verifiedName: string | null;
  alreadyConnected: "this_workspace" | "another_workspace" | null;
};

/** A per-number access override (GET/PUT /whatsapp-accounts/{id}/access): a member's beats their role's. */
export type AccessOverride = {
  accountId: string;
  subject: { type: "member" | "role"; id: string };
  access: AccountAccess;
  setBy: string;
  updatedAt: string;
};
export type AccountAccess = "full" | "read" | "none";

// The simulator never holds the JWT secret: a development-only server route signs for it, the
// way Pipedrive signs with the extension's secret (server/pipedrive/panel-token.ts).

export const devTokenPath = "/api/v1/dev/simulator/token";

export async function mintPanelToken(claims: { userId: number; companyId: number }): Promise<string> {
  const response = await fetch(devTokenPath, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(claims) });
  if (!response.ok)
    throw new Error(
      `The server would not sign a panel token (${response.status}); the simulator needs a development server with the demo CRM on (DEMO_CRM) or PIPEDRIVE_JWT_SECRET set.`,
    );
  const { token } = (await response.json()) as { token: string };
  return token;
}

// The simulator never holds the JWT secret: the demo CRM signs for its own users through a
// development-only server route, the way Pipedrive signs with the extension's secret
// (server/demo-crm/simulator-routes.ts). Against any other Pipedrive app the route does not exist:
// the browser tests answer it themselves (test/support/pipedrive-simulator.ts).

export const devTokenPath = "/api/v1/dev/simulator/token";

export async function mintPanelToken(claims: { userId: number; companyId: number }): Promise<string> {
  const response = await fetch(devTokenPath, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(claims) });
  if (!response.ok)
    throw new Error(
      `The server would not sign a panel token (${response.status}); the simulator needs a development server whose Pipedrive app is the demo CRM (DEMO_CRM on, no PIPEDRIVE_CLIENT_ID), and one of its users.`,
    );
  const { token } = (await response.json()) as { token: string };
  return token;
}

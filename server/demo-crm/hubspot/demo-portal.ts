import type { Config } from "../../config";
import { demoEmail, demoMemberName } from "../../demo/members";
import { hubspotOptionalScopes, hubspotRequiredScopes } from "../../hubspot/scopes";
import type { BuiltinRoleId } from "../../permissions";
import { type HubspotAppRegistration, HubspotPortals } from "./portal";
import { type HubspotFakeControls, hubspotFakeRouter } from "./router";

// The demo HubSpot portal (development only): the strict imitation of HubSpot (router.ts, each rule
// citing HubSpot's page) with one account in it, whose users are the demo members and whose
// contacts are the people of the demo conversations. Our app is registered with it under the
// configuration's demo client id and secret, so with no HubSpot app configured the server installs
// into it, reads it and logs to it exactly as it would into a real portal. Its grants are sealed
// into the tokens (HubspotPortals' sealKey): `npm start` again on the same DATA_DIR (and so the same
// ENCRYPTION_KEY) still accepts the tokens the workspace holds. Its records are rebuilt on each
// start; Communications logged there last only as long as the process.

export const demoHubspotPortal = { hubId: 24_601_357, domain: "demo-switchboard.hubspot.com", name: "Demo HubSpot account" } as const;

export type DemoHubspotUser = { userId: number; roleId: BuiltinRoleId; name: string; email: string; superAdmin: boolean };

/** HubSpot users 9101–9105, one per demo member; the Owner is the account's super admin, who installs the app. */
export const demoHubspotUsers: DemoHubspotUser[] = (["owner", "admin", "teammate", "agent", "collaborator"] as const).map((roleId, index) => ({
  userId: 9101 + index,
  roleId,
  name: demoMemberName(roleId),
  email: demoEmail(roleId),
  superAdmin: roleId === "owner",
}));

/** The demo conversations' people as contacts: formatted numbers as typed, and the WhatsApp number in E.164. */
export const demoHubspotContacts = {
  grace: {
    id: "151",
    properties: {
      firstname: "Grace",
      lastname: "Hopper",
      email: "grace@navylabs.test",
      mobilephone: "+44 20 7946 0958",
      phone: "+15550100999",
      hs_whatsapp_phone_number: "+442079460958",
    },
  },
  ada: { id: "152", properties: { firstname: "Ada", lastname: "Lovelace", mobilephone: "+49 151 12345678", hs_whatsapp_phone_number: "+4915112345678" } },
  alan: { id: "153", properties: { firstname: "Alan", lastname: "Turing", mobilephone: "+55 11 98765-4321", hs_whatsapp_phone_number: "+5511987654321" } },
  hedy: { id: "154", properties: { firstname: "Hedy", lastname: "Lamarr", mobilephone: "+34 612 34 56 78", hs_whatsapp_phone_number: "+34612345678" } },
} as const;

export const demoHubspotDeal = {
  id: "301",
  properties: { dealname: "Enterprise plan — 25 seats", amount: "12500", dealstage: "presentationscheduled" },
} as const;

export type DemoHubspot = {
  portals: HubspotPortals;
  app: HubspotAppRegistration;
  controls: HubspotFakeControls;
  router: ReturnType<typeof hubspotFakeRouter>["router"];
};

/** The demo portal for this configuration: its account, and the router the app mounts at /dev/demo-hubspot. */
export function createDemoHubspot(config: Config): DemoHubspot {
  const app: HubspotAppRegistration = {
    appId: config.demoHubspot.appId,
    clientId: config.demoHubspot.clientId,
    clientSecret: config.demoHubspot.clientSecret,
    redirectUris: [config.hubspot.redirectUri],
    requiredScopes: [...hubspotRequiredScopes],
    optionalScopes: [...hubspotOptionalScopes],
  };
  const portals = new HubspotPortals(Date.now, config.demoHubspot.tokenKey);
  const { hubId, domain } = demoHubspotPortal;
  portals.addPortal({ hubId, domain });
  for (const user of demoHubspotUsers) {
    const [firstName = user.name, ...rest] = user.name.split(" ");
    portals.addUser(hubId, { userId: user.userId, email: user.email, firstName, lastName: rest.join(" "), superAdmin: user.superAdmin });
  }
  for (const contact of Object.values(demoHubspotContacts)) portals.addContact(hubId, { ...contact.properties }, contact.id);
  portals.addDeal(hubId, { ...demoHubspotDeal.properties }, [demoHubspotContacts.grace.id], demoHubspotDeal.id);
  const { router, controls } = hubspotFakeRouter(app, portals);
  return { portals, app, controls, router };
}

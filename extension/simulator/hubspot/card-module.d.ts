// The real app card (manifest/hubspot/src/app/cards/WhatsAppCard.tsx), which vite.config.ts
// resolves this name to; importing it runs its hubspot.extend(), which registers with the host.
declare module "virtual:hubspot-card" {}

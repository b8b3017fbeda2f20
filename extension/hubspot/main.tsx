import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "../pipedrive/shared/surface.css";
import { HubspotApp } from "./HubspotApp";

// The page HubSpot's card opens in its iframe modal: /hubspot/#<signed sign-in context>, or
// /hubspot/#conversation=<signed token> for a linked member's "Open conversation". Either is read
// once and taken out of the address, so a reload or a copied link does not carry it.
const fragment = window.location.hash.slice(1);
if (fragment) window.history.replaceState(null, "", window.location.pathname);
const conversation = fragment.startsWith("conversation=") ? fragment.slice("conversation=".length) : null;
const context = conversation === null && fragment ? fragment : null;

const container = document.getElementById("root") as HTMLElement;
createRoot(container).render(
  <StrictMode>
    <HubspotApp context={context} conversation={conversation} />
  </StrictMode>,
);

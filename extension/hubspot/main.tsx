import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "../pipedrive/shared/surface.css";
import { HubspotApp } from "./HubspotApp";

// The page HubSpot's card opens in its iframe modal: /hubspot/#<signed context>. The context is
// read once and taken out of the address, so a reload or a copied link does not carry it.
const context = window.location.hash.slice(1) || null;
if (context) window.history.replaceState(null, "", window.location.pathname);

const container = document.getElementById("root") as HTMLElement;
createRoot(container).render(
  <StrictMode>
    <HubspotApp context={context} />
  </StrictMode>,
);

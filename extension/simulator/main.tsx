import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "./simulator.css";
import { readSetup } from "./demo";
import { Simulator } from "./Simulator";

// Development only: a stand-in for a Pipedrive deal page that hosts the real panel.
createRoot(document.getElementById("root") as HTMLElement).render(
  <StrictMode>
    <Simulator setup={readSetup(window.location.search)} />
  </StrictMode>,
);

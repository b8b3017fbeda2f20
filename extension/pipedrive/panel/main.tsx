import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "../shared/surface.css";
import { createPanelApi } from "../shared/api";
import { readIframeParams } from "../shared/iframe-params";
import { Root } from "../shared/Root";
import { connectToHost } from "../shared/sdk";
import { PanelApp } from "./PanelApp";

// Initialize the SDK first: Pipedrive hides a panel that has not initialized within 10 seconds.
const params = readIframeParams();
const host = connectToHost(160, params.theme);
const api = createPanelApi(() => host.signedToken(), params.openedOn);

const container = document.getElementById("root") as HTMLElement;
createRoot(container).render(
  <StrictMode>
    <Root host={host}>
      <PanelApp host={host} api={api} params={params} />
    </Root>
  </StrictMode>,
);

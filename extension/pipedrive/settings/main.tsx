import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "../shared/surface.css";
import { createPanelApi } from "../shared/api";
import { readIframeParams } from "../shared/iframe-params";
import { Root } from "../shared/Root";
import { connectToHost } from "../shared/sdk";
import { SettingsApp } from "./SettingsApp";

const params = readIframeParams();
const host = connectToHost(400, params.theme);
const api = createPanelApi(() => host.signedToken(), params.openedOn);

createRoot(document.getElementById("root") as HTMLElement).render(
  <StrictMode>
    <Root host={host}>
      <SettingsApp host={host} api={api} params={params} />
    </Root>
  </StrictMode>,
);

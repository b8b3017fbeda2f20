import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "../shared/surface.css";
import { createPanelApi } from "../shared/api";
import { readIframeParams } from "../shared/iframe-params";
import { Root } from "../shared/Root";
import { connectToHost } from "../shared/sdk";
import { StartChatModal } from "./StartChatModal";

const params = readIframeParams();
const host = connectToHost(320, params.theme);
const api = createPanelApi(() => host.signedToken(), params.openedOn);

createRoot(document.getElementById("root") as HTMLElement).render(
  <StrictMode>
    <Root host={host}>
      <StartChatModal host={host} api={api} params={params} />
    </Root>
  </StrictMode>,
);

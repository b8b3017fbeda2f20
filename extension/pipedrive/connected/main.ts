import "../shared/surface.css";
import { readOAuthOutcome } from "../../console/integrations/oauth-outcome";

// Where a Pipedrive connection made in a popup ends (server/crm/connect-flow.ts popupLandingPage):
// the callback's outcome, read from the fragment, in a sentence. Nothing is sent to the window that
// opened the popup (it was cut off from it before leaving Switchboard); the panel there asks
// Switchboard whether the connection is made. A clean success closes the window by itself.

const outcome = readOAuthOutcome(window.location.hash.replace(/^#/, ""));
const text = document.getElementById("outcome") as HTMLElement;
const next = document.getElementById("next") as HTMLElement;
const close = document.getElementById("close") as HTMLButtonElement;

text.textContent = outcome?.message ?? "This page ends a Pipedrive connection made from the Switchboard panel. There is nothing to finish here.";
text.setAttribute("role", outcome?.kind === "error" ? "alert" : "status");
next.textContent =
  outcome?.kind === "success"
    ? "The Switchboard panel in Pipedrive updates by itself. You can close this window."
    : "Close this window and press Connect in the Switchboard panel to try again.";
close.hidden = false;
close.addEventListener("click", () => window.close());
// Only a window a script opened may close itself; a tab opened by hand stays with its message.
if (outcome?.kind === "success") setTimeout(() => window.close(), 1500);
// The outcome is shown; it leaves the address (and the history) so a reload doesn't repeat it.
history.replaceState(null, "", window.location.pathname);

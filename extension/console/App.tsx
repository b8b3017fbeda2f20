import { useEffect } from "react";
import { ActivityLogPage } from "./activity/ActivityLogPage";
import type { Me } from "./api/types";
import { AcceptInvitationPage } from "./auth/AcceptInvitationPage";
import { ForgotPasswordPage } from "./auth/ForgotPasswordPage";
import { JoinRequestPage } from "./auth/JoinRequestPage";
import { LockedScreen } from "./auth/LockedScreen";
import { LoginPage } from "./auth/LoginPage";
import { ResetPasswordPage } from "./auth/ResetPasswordPage";
import { SignupPage } from "./auth/SignupPage";
import { CampaignsPage } from "./campaigns/CampaignsPage";
import { DevMailPage } from "./dev/DevMailPage";
import { InboxPage } from "./inbox/InboxPage";
import { IntegrationsPage } from "./integrations/IntegrationsPage";
import { LiveUpdatesProvider } from "./live/LiveUpdatesProvider";
import { NumbersPage } from "./numbers/NumbersPage";
import { type ConsoleSectionId, visibleSections } from "./permissions/sections";
import { RolesPage } from "./roles/RolesPage";
import { useRoute } from "./routing/hash-route";
import { useSession } from "./session/SessionProvider";
import { SettingsPage } from "./settings/SettingsPage";
import { ConsoleShell } from "./shell/ConsoleShell";
import { TeamPage } from "./team/TeamPage";
import { TemplatesPage } from "./templates/TemplatesPage";

export function App() {
  const route = useRoute();
  const { state } = useSession();

  // These pages work without (and regardless of) a session.
  if (route.page === "accept") return <AcceptInvitationPage acceptToken={route.acceptToken} />;
  if (route.page === "join") return <JoinRequestPage initialJoinCode={route.joinCode} />;
  if (route.page === "forgot-password") return <ForgotPasswordPage />;
  if (route.page === "reset-password") return <ResetPasswordPage resetToken={route.resetToken} />;
  if (route.page === "dev-mail") return <DevMailPage />;

  switch (state.status) {
    case "checking":
      return <p className="loading-screen">Loading…</p>;
    case "suspended":
      return <LockedScreen detail={state.detail} />;
    case "signed-out":
      return route.page === "signup" ? <SignupPage /> : <LoginPage notice={state.notice ?? marketplaceInstallNotice()} />;
    case "signed-in":
      return route.page === "section" ? <SignedInConsole me={state.me} section={route.section} /> : <GoToFirstSection me={state.me} />;
  }
}

/** Pipedrive's Marketplace install lands on `#/integrations?pipedrive=install`, maybe signed out. */
function marketplaceInstallNotice(): string | undefined {
  if (new URLSearchParams(window.location.hash.split("?")[1] ?? "").get("pipedrive") !== "install") return undefined;
  return "Switchboard was installed in Pipedrive. Log in, or create a workspace, then link the Pipedrive company under Integrations.";
}

function GoToFirstSection({ me }: { me: Me }) {
  const first = visibleSections(me.permissions)[0]?.id ?? "settings";
  useEffect(() => window.location.replace(`#/${first}`), [first]);
  return null;
}

function SignedInConsole({ me, section }: { me: Me; section: ConsoleSectionId }) {
  const allowed = visibleSections(me.permissions).some((visible) => visible.id === section);
  // One live connection for the whole signed-in session; logging out unmounts (and closes) it.
  return (
    <LiveUpdatesProvider enabled={me.permissions["chats.view"] !== "none" || me.permissions["campaigns.reports"] !== "none"} sessionKey={me.member.id}>
      <ConsoleShell me={me} current={section}>
        {allowed ? <SectionPage section={section} /> : <p className="problem">Your role does not include this section.</p>}
      </ConsoleShell>
    </LiveUpdatesProvider>
  );
}

function SectionPage({ section }: { section: ConsoleSectionId }) {
  switch (section) {
    case "inbox":
      return <InboxPage />;
    case "numbers":
      return <NumbersPage />;
    case "templates":
      return <TemplatesPage />;
    case "campaigns":
      return <CampaignsPage />;
    case "team":
      return <TeamPage />;
    case "roles":
      return <RolesPage />;
    case "integrations":
      return <IntegrationsPage />;
    case "activity":
      return <ActivityLogPage />;
    case "settings":
      return <SettingsPage />;
  }
}

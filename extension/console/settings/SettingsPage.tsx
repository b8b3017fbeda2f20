import { useMe } from "../session/SessionProvider";
import { AccountCard } from "./AccountCard";
import { ApiTokensCard } from "./ApiTokensCard";
import { DefaultCountryCard } from "./DefaultCountryCard";
import { DeleteWorkspaceCard } from "./DeleteWorkspaceCard";
import { NotificationsCard } from "./NotificationsCard";
import { OwnershipLockCard } from "./OwnershipLockCard";
import { OwnershipTransferCard } from "./OwnershipTransferCard";
import { SubscriptionCard } from "./SubscriptionCard";

/** Each card shows only when /me's permission map holds what it needs. */
export function SettingsPage() {
  const { permissions, workspace } = useMe();
  return (
    <>
      <h1>Settings</h1>
      <AccountCard />
      {permissions["chats.view"] !== "none" && <NotificationsCard />}
      {permissions["team.manage"] && <DefaultCountryCard />}
      {permissions["team.manage"] && <OwnershipLockCard />}
      {permissions["billing.manage"] && <SubscriptionCard />}
      <ApiTokensCard />
      {permissions["workspace.transfer"] && <OwnershipTransferCard />}
      {permissions["workspace.delete"] && <DeleteWorkspaceCard workspaceName={workspace.name} />}
    </>
  );
}

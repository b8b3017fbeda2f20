import { WorkspaceSettingToggle } from "./WorkspaceSettingToggle";

/**
 * Whether the built-in Agents and Collaborators hold contacts.view_numbers (the workspace's
 * agentsSeeNumbers; team.manage). Custom roles carry the permission themselves, so it is named here.
 */
export function FullNumbersSetting() {
  return (
    <div>
      <WorkspaceSettingToggle
        setting="agentsSeeNumbers"
        fallback={true}
        label="Agents and Collaborators see contacts' full numbers"
        notices={{ on: "Agents and Collaborators see full numbers.", off: "Agents and Collaborators now see numbers masked, like +49 ••• ••• 12." }}
      >
        Off: they see a contact's name and a masked number (+49 ••• ••• 12) everywhere, start chats only from a CRM record or an existing chat, and still reply.
        Custom roles decide this with their own “contacts.view_numbers”.
      </WorkspaceSettingToggle>
    </div>
  );
}

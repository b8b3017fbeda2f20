import { WorkspaceSettingToggle } from "./WorkspaceSettingToggle";

/**
 * The workspace's ownership lock (team.manage): on, only the chat's responsible — and members whose
 * role holds chats.take_over on it — may reply in or reassign a chat someone holds.
 */
export function OwnershipLockCard() {
  return (
    <section className="card" aria-labelledby="ownership-lock-heading">
      <h2 id="ownership-lock-heading">Ownership lock</h2>
      <WorkspaceSettingToggle
        setting="ownershipLock"
        fallback={false}
        label="Lock chats to their responsible"
        notices={{ on: "The ownership lock is on.", off: "The ownership lock is off." }}
      >
        On: a chat someone is responsible for can be replied in, taken, released or reassigned only by them and by roles with “chats.take_over” on it; anyone
        may still take an unassigned chat. Others can ask to take a chat over, which tells its responsible and the team's managers.
      </WorkspaceSettingToggle>
    </section>
  );
}

import type { BuiltinRoleId } from "../permissions";

// Who the demo members are, shared by the demo seed and the demo CRM's users (one per member).

export const demoEmail = (roleId: BuiltinRoleId) => `${roleId}@demo.switchboard.test`;
export const demoMemberName = (roleId: BuiltinRoleId) => `Demo ${roleId[0]?.toUpperCase()}${roleId.slice(1)}`;

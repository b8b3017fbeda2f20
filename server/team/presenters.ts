/** The public shape of a member: nothing else about them leaves the server. */
export function presentMember(row: { id: string; name: string; email: string; roleId: string; status: string }) {
  return { id: row.id, name: row.name, email: row.email, roleId: row.roleId, status: row.status };
}

/**
 * `defaultCountry`: the country numbers typed without a country code are read in (null: none);
 * `agentsSeeNumbers`: whether built-in Agents and Collaborators see full numbers; `ownershipLock`:
 * whether a chat held by someone else needs chats.take_over.
 */
export function presentWorkspace(
  row: { id: string; name: string; joinCode: string; defaultCountry?: string | null; agentsSeeNumbers?: boolean; ownershipLock?: boolean },
  showJoinCode: boolean,
) {
  return {
    id: row.id,
    name: row.name,
    defaultCountry: row.defaultCountry ?? null,
    agentsSeeNumbers: row.agentsSeeNumbers ?? true,
    ownershipLock: row.ownershipLock ?? false,
    ...(showJoinCode ? { joinCode: row.joinCode } : {}),
  };
}

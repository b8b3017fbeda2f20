/** The public shape of a member: nothing else about them leaves the server. */
export function presentMember(row: { id: string; name: string; email: string; roleId: string; status: string }) {
  return { id: row.id, name: row.name, email: row.email, roleId: row.roleId, status: row.status };
}

export function presentWorkspace(row: { id: string; name: string; joinCode: string }, showJoinCode: boolean) {
  return { id: row.id, name: row.name, ...(showJoinCode ? { joinCode: row.joinCode } : {}) };
}

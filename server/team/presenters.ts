/** The public shape of a member: nothing else about them leaves the server. */
export function presentMember(row: { id: string; name: string; email: string; roleId: string; status: string }) {
  return { id: row.id, name: row.name, email: row.email, roleId: row.roleId, status: row.status };
}

/** `defaultCountry`: the country numbers typed without a country code are read in (null: none). */
export function presentWorkspace(row: { id: string; name: string; joinCode: string; defaultCountry?: string | null }, showJoinCode: boolean) {
  return { id: row.id, name: row.name, defaultCountry: row.defaultCountry ?? null, ...(showJoinCode ? { joinCode: row.joinCode } : {}) };
}

import { useState } from "react";
import { callApi } from "../api/client";
import type { Role } from "../api/types";
import { useAction } from "../api/use-action";
import { useApiQuery } from "../api/use-api-query";
import { useMe, useSession } from "../session/SessionProvider";
import { ProblemMessage } from "../shared/ProblemMessage";
import { PermissionGrid } from "./PermissionGrid";
import { RoleAccessCard } from "./RoleAccessCard";
import { RoleEditor } from "./RoleEditor";

type Editing = { mode: "closed" } | { mode: "create" } | { mode: "edit"; role: Role };

export function RolesPage() {
  const me = useMe();
  const { refresh } = useSession();
  const canManage = me.permissions["roles.manage"];
  const roles = useApiQuery<{ data: Role[] }>("/roles");
  const remove = useAction();
  const [editing, setEditing] = useState<Editing>({ mode: "closed" });

  const afterChange = () => {
    setEditing({ mode: "closed" });
    roles.reload();
    // Editing the caller's own custom role changes their permissions on the next request.
    void refresh();
  };
  const deleteRole = (role: Role) => {
    if (!window.confirm(`Delete the role “${role.name}”?`)) return;
    void remove.run(async () => {
      await callApi("DELETE", `/roles/${role.id}`);
      roles.reload();
    });
  };

  return (
    <>
      <div className="page-header">
        <h1>Roles</h1>
        {canManage && editing.mode === "closed" && (
          <button type="button" className="primary" onClick={() => setEditing({ mode: "create" })}>
            New role
          </button>
        )}
      </div>
      <p className="muted">Built-in roles are read-only presets; custom roles use the same permissions. A permission a role lacks means none.</p>
      {editing.mode !== "closed" && (
        <RoleEditor
          key={editing.mode === "edit" ? editing.role.id : "new"}
          role={editing.mode === "edit" ? editing.role : undefined}
          onSaved={afterChange}
          onCancel={() => setEditing({ mode: "closed" })}
        />
      )}
      <ProblemMessage problem={roles.problem ?? remove.problem} />
      {roles.data && (
        <section className="card">
          <PermissionGrid roles={roles.data.data} onEdit={(role) => setEditing({ mode: "edit", role })} onDelete={deleteRole} deleting={remove.pending} />
        </section>
      )}
      {roles.data && me.permissions["team.manage"] && <RoleAccessCard roles={roles.data.data} />}
    </>
  );
}

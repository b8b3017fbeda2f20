import { type FormEvent, useId, useState } from "react";
import { callApi } from "../api/client";
import type { Permission, PermissionMap, Role } from "../api/types";
import { useAction } from "../api/use-action";
import { emptyPermissions, grantablePermissionNames, isScopedPermission, levelsOf, permissionCatalogue } from "../permissions/permission-catalogue";
import { SelectField, TextField } from "../shared/fields";
import { ProblemMessage } from "../shared/ProblemMessage";

type RoleEditorProps = {
  /** The custom role to edit; none to create one. */
  role?: Role;
  onSaved(): void;
  onCancel(): void;
};

/** The custom-role form: every grantable permission of the catalogue (the Owner's three are never offered). */
export function RoleEditor({ role, onSaved, onCancel }: RoleEditorProps) {
  const save = useAction();
  const [name, setName] = useState(role?.name ?? "");
  const [permissions, setPermissions] = useState<PermissionMap>(() => ({ ...emptyPermissions(), ...role?.permissions }));
  const setPermission = (permission: Permission, value: PermissionMap[Permission]) => setPermissions((previous) => ({ ...previous, [permission]: value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const granted = Object.fromEntries(grantablePermissionNames.map((permission) => [permission, permissions[permission]]));
    void save.run(async () => {
      if (role) await callApi("PATCH", `/roles/${role.id}`, { name, permissions: granted });
      else await callApi("POST", "/roles", { name, permissions: granted });
      onSaved();
    });
  };

  return (
    <form className="card role-editor" onSubmit={submit} aria-label={role ? `Edit role ${role.name}` : "New role"}>
      <h2>{role ? `Edit role “${role.name}”` : "New custom role"}</h2>
      <TextField label="Role name" value={name} onChange={setName} required />
      <div className="permission-fields">
        {grantablePermissionNames.map((permission) => (
          <PermissionField key={permission} permission={permission} value={permissions[permission]} onChange={(value) => setPermission(permission, value)} />
        ))}
      </div>
      <ProblemMessage problem={save.problem} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={save.pending}>
          {save.pending ? "Saving…" : role ? "Save role" : "Create role"}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

type PermissionFieldProps = { permission: Permission; value: PermissionMap[Permission]; onChange(value: PermissionMap[Permission]): void };

function PermissionField({ permission, value, onChange }: PermissionFieldProps) {
  const id = useId();
  const meaning = permissionCatalogue[permission].meaning;
  if (isScopedPermission(permission)) {
    return (
      <SelectField
        label={permission}
        value={String(value)}
        options={levelsOf(permission).map((level) => ({ value: level, label: level }))}
        onChange={(level) => onChange(level as PermissionMap[Permission])}
        hint={meaning}
      />
    );
  }
  return (
    <div className="field checkbox-field">
      <input id={id} type="checkbox" checked={Boolean(value)} onChange={(event) => onChange(event.target.checked)} aria-describedby={`${id}-hint`} />
      <label htmlFor={id}>{permission}</label>
      <div className="hint" id={`${id}-hint`}>
        {meaning}
      </div>
    </div>
  );
}

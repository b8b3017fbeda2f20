import type { Permission, Role } from "../api/types";
import { isScopedPermission, permissionCatalogue, permissionNames } from "../permissions/permission-catalogue";

type PermissionGridProps = {
  roles: Role[];
  onEdit(role: Role): void;
  onDelete(role: Role): void;
  deleting: boolean;
};

function PermissionValue({ role, permission }: { role: Role; permission: Permission }) {
  const value = role.permissions[permission];
  if (isScopedPermission(permission)) {
    return <span className={`level level-${String(value)}`}>{String(value)}</span>;
  }
  return value ? (
    <span className="flag-yes" title="granted">
      ✓<span className="visually-hidden"> yes</span>
    </span>
  ) : (
    <span className="flag-no" title="not granted">
      –<span className="visually-hidden"> no</span>
    </span>
  );
}

/** Every role (columns) against every permission of the catalogue (rows); Edit / Delete follow each role's abilities. */
export function PermissionGrid({ roles, onEdit, onDelete, deleting }: PermissionGridProps) {
  return (
    <div className="grid-scroll">
      <table className="data-table permission-grid" aria-label="Role permissions">
        <thead>
          <tr>
            <th scope="col">Permission</th>
            {roles.map((role) => (
              <th scope="col" key={role.id} data-role-id={role.id}>
                <div>{role.name}</div>
                <div className="role-kind">{role.builtin ? "built-in" : "custom"}</div>
                {(role.abilities.edit || role.abilities.delete) && (
                  <div className="role-actions">
                    {role.abilities.edit && (
                      <button type="button" aria-label={`Edit ${role.name}`} onClick={() => onEdit(role)}>
                        Edit
                      </button>
                    )}
                    {role.abilities.delete && (
                      <button type="button" className="danger" aria-label={`Delete ${role.name}`} disabled={deleting} onClick={() => onDelete(role)}>
                        Delete
                      </button>
                    )}
                  </div>
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {permissionNames.map((permission) => (
            <tr key={permission}>
              <th scope="row">
                <code>{permission}</code>
                <div className="hint">{permissionCatalogue[permission].meaning}</div>
              </th>
              {roles.map((role) => (
                <td key={role.id}>
                  <PermissionValue role={role} permission={permission} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

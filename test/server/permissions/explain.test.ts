import fc from "fast-check";
import {
  type Actor,
  authorize,
  can,
  decide,
  decideOn,
  holds,
  type Permission,
  PermissionDenied,
  type PermissionMap,
  permissionCatalogue,
  permissionNames,
  type RecordAction,
  recordActions,
  requirePermission,
} from "../../../server/permissions";

// The explain answer agrees with what a route does: gate (requirePermission) then rule (authorize).
// Whatever the role and record, a refusal's sentence is the PermissionDenied detail the 403 carries.

const members = ["m_me", "m_other", "m_third"] as const;
const member = fc.constantFrom(...members);

const permissionMap = fc.record(
  Object.fromEntries(
    permissionNames.map((name) => {
      const entry = permissionCatalogue[name];
      return [name, "levels" in entry ? fc.constantFrom(...entry.levels) : fc.boolean()];
    }),
  ) as { [P in Permission]: fc.Arbitrary<PermissionMap[P]> },
);

const actor = fc
  .record({ permissions: permissionMap, suspended: fc.boolean(), roleName: fc.constantFrom("Night shift", "Agent"), ownershipLock: fc.boolean() })
  .map(
    ({ permissions, suspended, roleName, ownershipLock }): Actor => ({
      workspaceId: "ws_1",
      memberId: "m_me",
      roleId: "role_1",
      roleName,
      status: suspended ? "suspended" : "active",
      permissions,
      ownershipLock,
    }),
  );

const recordsByResource = {
  chat: fc.record({
    workspaceId: fc.constant("ws_1"),
    responsibleId: fc.option(member, { nil: null }),
    responsibleName: fc.constantFrom("Ana Lima", null),
    account: fc.record({ connectedBy: member }),
  }),
  account: fc.record({ workspaceId: fc.constant("ws_1"), connectedBy: member }),
  template: fc.record({ workspaceId: fc.constant("ws_1"), ownerId: member }),
  campaign: fc.record({ workspaceId: fc.constant("ws_1"), ownerId: member }),
};

const actions = Object.keys(recordActions) as RecordAction[];
const actionWithRecord = fc.constantFrom(...actions).chain((action) => recordsByResource[recordActions[action].resource].map((record) => ({ action, record })));

/** What a route answers: the gate before any lookup, then the rule on the record; the 403's detail or null. */
function routeDenial(actor: Actor, action: RecordAction, record: never): string | null {
  try {
    requirePermission(actor, recordActions[action].permission);
    authorize(actor, action, record);
    return null;
  } catch (error) {
    if (error instanceof PermissionDenied) return error.detail;
    throw error;
  }
}

describe("decideOn() answers as the route decides", () => {
  it("allowed exactly when the gate and can() allow; a refusal's sentence is the 403 detail", () => {
    fc.assert(
      fc.property(actor, actionWithRecord, (actor, { action, record }) => {
        const decision = decideOn(actor, action, record as never);
        const denial = routeDenial(actor, action, record as never);
        expect(decision.allowed).toBe(holds(actor, recordActions[action].permission) && can(actor, action, record as never));
        expect(decision.allowed).toBe(denial === null);
        if (denial !== null) expect(decision.sentence).toBe(denial);
        else expect(decision.sentence).toMatch(new RegExp(`^Your role \\(${actor.roleName}\\) allows you to `));
      }),
      { numRuns: 500 },
    );
  });

  it("without a record, decide() is the gate: its refusal is requirePermission's detail", () => {
    fc.assert(
      fc.property(actor, fc.constantFrom(...permissionNames), (actor, permission) => {
        const decision = decide(actor, permission);
        let denial: string | null = null;
        try {
          requirePermission(actor, permission);
        } catch (error) {
          denial = (error as PermissionDenied).detail;
        }
        expect(decision).toEqual(
          denial === null ? { allowed: true, sentence: expect.stringContaining("allows you to") } : { allowed: false, sentence: denial },
        );
      }),
      { numRuns: 300 },
    );
  });
});

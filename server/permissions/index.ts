// The one permissions module: the only place that knows what a role may do.
export * from "./builtin-roles";
export * from "./campaigns";
export * from "./catalogue";
export * from "./engine";
export * from "./invariants";
export * from "./numbers";
export * from "./override-invariants";
export * from "./overrides";
export {
  type AccountRecord,
  type ChatRecord,
  type OwnedRecord,
  type RecordAction,
  type RecordOf,
  type ResourceName,
  type ResourceOfAction,
  recordActions,
  resourceNames,
} from "./rules";

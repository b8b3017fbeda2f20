import type { BusEvent } from "./bus";

// The hub hands the same event object to every stream of this process, so what an event needs
// from the database is keyed on that object: the first stream to handle it loads, the others
// share the promise, and the entry goes with the event once every stream is done with it.
const loads = new WeakMap<BusEvent, Map<string, Promise<unknown>>>();

/**
 * Loads what `event` needs under `key` once per process, however many live-update streams are
 * open: streams share the result and each filters it for its own viewer.
 */
export function loadOnce<T>(event: BusEvent, key: string, load: () => Promise<T>): Promise<T> {
  let forEvent = loads.get(event);
  if (!forEvent) {
    forEvent = new Map();
    loads.set(event, forEvent);
  }
  let loaded = forEvent.get(key) as Promise<T> | undefined;
  if (!loaded) {
    loaded = load();
    forEvent.set(key, loaded);
  }
  return loaded;
}

import { randomBytes } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** What the lock file says about the process that owns the data directory. */
export type LockHolder = {
  pid: number;
  host: string;
  /** ISO time the owner started. */
  since: string;
  /** The HTTP port a server listens on; null for a command (backup, restore, move). */
  port: number | null;
  /** `server`, or the command that holds the directory. */
  purpose: string;
  /** Distinguishes two owners that happen to share a pid (a reused pid, a restart). */
  id: string;
  /** A running server's loopback operator listener (server/datadir/operator-listener.ts). */
  operator?: { port: number; token: string };
};

export type DataDirLock = {
  holder: LockHolder;
  /** Rewrites the lock file with more about its owner (the operator listener, once it listens). */
  update(extra: Pick<LockHolder, "operator">): void;
  /** Removes the lock file if it is still this process's. Idempotent. */
  release(): void;
};

export class DataDirLocked extends Error {}

export const lockFileName = "switchboard.lock";

export const lockPath = (dataDir: string) => path.join(dataDir, lockFileName);

/** An abandoned takeover (its process died mid-way) is cleared after this long; a takeover takes milliseconds. */
const abandonedTakeoverMs = 10_000;

/**
 * Makes this process the one owner of `dataDir` (the embedded database must have exactly one),
 * or throws DataDirLocked with one line naming the owner. A lock whose process is gone from this
 * host is taken over; a lock from another host never is (its pid means nothing here).
 */
export function acquireDataDirLock(dataDir: string, owner: { port: number | null; purpose: string }): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const file = lockPath(dataDir);
  const holder: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    since: new Date().toISOString(),
    port: owner.port,
    purpose: owner.purpose,
    id: randomBytes(8).toString("hex"),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createExclusively(file, holder)) return ownedLock(file, holder);
    const existing = readHolder(file);
    if (existing === "missing") continue;
    if (existing === "unreadable") {
      throw new DataDirLocked(`${file} is unreadable: if no Switchboard is running on ${dataDir}, delete that file and start again.`);
    }
    if (existing.host !== os.hostname()) {
      throw new DataDirLocked(
        `${dataDir} is in use by pid ${existing.pid} on host ${existing.host} since ${existing.since} (${describe(existing)}); ` +
          `if that process is gone, delete ${file} on purpose and start again.`,
      );
    }
    if (isAlive(existing.pid)) {
      throw new DataDirLocked(`${dataDir} is in use by pid ${existing.pid} on host ${existing.host} since ${existing.since} (${describe(existing)}).`);
    }
    takeOverStale(file, existing);
  }
  throw new DataDirLocked(`${dataDir}: could not take the lock ${file} (other processes keep racing for it); try again.`);
}

/** Who holds `dataDir` now, if anyone: a live owner on this host, or any owner on another host. */
export function currentHolder(dataDir: string): LockHolder | null {
  const existing = readHolder(lockPath(dataDir));
  if (existing === "missing" || existing === "unreadable") return null;
  if (existing.host === os.hostname() && !isAlive(existing.pid)) return null;
  return existing;
}

function describe(holder: LockHolder) {
  return holder.port === null ? holder.purpose : `${holder.purpose} on port ${holder.port}`;
}

function createExclusively(file: string, holder: LockHolder): boolean {
  let descriptor: number;
  try {
    descriptor = openSync(file, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    writeSync(descriptor, JSON.stringify(holder));
  } finally {
    closeSync(descriptor);
  }
  return true;
}

function readHolder(file: string): LockHolder | "missing" | "unreadable" {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as LockHolder;
    if (typeof parsed.pid !== "number" || typeof parsed.host !== "string" || typeof parsed.id !== "string") return "unreadable";
    return parsed;
  } catch {
    return "unreadable";
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/**
 * Removes a stale lock so the caller can retry creating its own. Only one process may remove a
 * given stale lock: the takeover is guarded by a file named after that lock's id, created with
 * O_EXCL; under it the lock is re-read and removed only if it is still the very same stale lock.
 * A racer that loses simply retries and then finds the winner's live lock.
 */
function takeOverStale(file: string, stale: LockHolder) {
  const guard = `${file}.takeover-${stale.id}`;
  let descriptor: number;
  try {
    descriptor = openSync(guard, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const guardAge = Date.now() - (statSync(guard, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (guardAge > abandonedTakeoverMs) removeIfPresent(guard);
    else pause(20); // another starter is taking it over: let it finish, then find its lock
    return;
  }
  closeSync(descriptor);
  try {
    const current = readHolder(file);
    if (current !== "missing" && current !== "unreadable" && current.id === stale.id) {
      // Moved aside rather than deleted: the stale owner's details stay inspectable.
      renameSync(file, `${file}.stale-${stale.pid}`);
    }
  } finally {
    removeIfPresent(guard);
  }
}

function ownedLock(file: string, holder: LockHolder): DataDirLock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off("exit", release);
    const current = readHolder(file);
    if (current !== "missing" && current !== "unreadable" && current.id === holder.id) removeIfPresent(file);
  };
  // A process that ends without its orderly shutdown (an uncaught error) still leaves no lock behind.
  process.on("exit", release);
  return {
    holder,
    update(extra) {
      Object.assign(holder, extra);
      const next = `${file}.${holder.id}`;
      writeFileSync(next, JSON.stringify(holder), { mode: 0o600 });
      renameSync(next, file);
    },
    release,
  };
}

function pause(milliseconds: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, milliseconds);
}

function removeIfPresent(file: string) {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

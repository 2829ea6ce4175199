/**
 * Instance files (contract: protocol/src/tool-routes.ts): `reprise run` makes a random token per run, writes
 * `<app>/.reprise/instances/<port>.json` (port, pid, token, url; mode 0600 in a 0700 folder) once it listens and
 * removes it when it exits; `reprise traces | cron | pubsub` find the running instances of the app they run in.
 */
import { randomBytes } from "node:crypto";
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { INSTANCES_DIR, parseInstanceRecord, type InstanceRecord } from "@reprise/protocol/tool-routes";

/** 32 random bytes, base64url: 43 characters the runtime accepts as a bearer token. */
export function newToolToken(): string {
  return randomBytes(32).toString("base64url");
}

export function instancesDir(appRoot: string): string {
  return join(appRoot, ...INSTANCES_DIR.split("/"));
}

/** Whether process `pid` runs (EPERM: it does, under another user). A zombie (killed, not yet reaped) does not. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    // Linux: the state follows the parenthesised command name in /proc/<pid>/stat.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

interface Listed {
  file: string;
  record: InstanceRecord | null;
}

function list(appRoot: string): Listed[] {
  const dir = instancesDir(appRoot);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: Listed[] = [];
  for (const name of names) {
    const m = /^(\d+)\.json$/.exec(name);
    if (!m) continue;
    const file = join(dir, name);
    let record: InstanceRecord | null = null;
    try {
      record = parseInstanceRecord(readFileSync(file, "utf8"));
    } catch {
      // unreadable (another user's, or gone meanwhile): not ours to use
    }
    out.push({ file, record: record && record.port === Number(m[1]) ? record : null });
  }
  return out;
}

/** The app's running instances, by port; files of processes that are gone (a kill -9) are skipped. */
export function liveInstances(appRoot: string): InstanceRecord[] {
  return list(appRoot)
    .map((l) => l.record)
    .filter((r): r is InstanceRecord => r !== null && pidAlive(r.pid))
    .sort((a, b) => a.port - b.port);
}

/**
 * Writes this run's instance file (replacing a stale one for the same port) and removes the files of instances
 * whose process is gone. Created exclusively with mode 0600, so no other user can read the token and nothing
 * planted at the path (a symlink) is followed.
 */
export function writeInstanceFile(appRoot: string, record: InstanceRecord): string {
  const dir = instancesDir(appRoot);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const l of list(appRoot)) {
    if (l.record && l.record.pid !== process.pid && !pidAlive(l.record.pid)) tryUnlink(l.file);
  }
  const file = join(dir, `${record.port}.json`);
  tryUnlink(file);
  const fd = openSync(file, "wx", 0o600);
  try {
    writeSync(fd, `${JSON.stringify(record)}\n`);
  } finally {
    closeSync(fd);
  }
  return file;
}

/** Removes `file` if it still is this run's (another instance may hold the port, and the file, by now). */
export function removeInstanceFile(file: string, token: string): void {
  let record: InstanceRecord | null = null;
  try {
    record = parseInstanceRecord(readFileSync(file, "utf8"));
  } catch {
    return;
  }
  if (record?.token === token) tryUnlink(file);
}

function tryUnlink(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

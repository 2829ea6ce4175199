/**
 * One freshly initialised PGlite data directory per PGlite version, kept in a per-user cache and copied into the
 * data directory of each new embedded database. PGlite runs `initdb` in WASM when it opens an empty directory:
 * seconds on a quiet machine, tens of seconds on a loaded one. Copying the initialised result takes a fraction of
 * a second, so only the first database ever created on a machine pays for initdb.
 *
 * Cache: $REPRISE_CACHE_DIR, else $XDG_CACHE_HOME/reprise, else ~/.cache/reprise (`pglite-<version>-template`).
 * REPRISE_PGLITE_TEMPLATE=off turns the cache off (each new database runs initdb in place). The template is
 * built under a lock directory naming its owner's pid, so concurrent processes and threads build it once; a
 * lock whose owner died is taken over.
 *
 * In-memory databases (the SQL checker, `reprise test`) start from `clusterDump()`: the same initialised cluster
 * as a tar (PGlite's `dumpDataDir` format, loaded with `loadDataDir`), kept in memory and cached on disk beside the
 * template (`pglite-<version>-memtemplate.tar`).
 */
import { constants, cpSync, existsSync, readFileSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { threadId } from "node:worker_threads";

/** How long a database waits for another process's template build before running initdb itself. */
const LOCK_WAIT_MS = 180_000;

let versionCache: string | undefined;
function pgliteVersion(): string {
  if (versionCache) return versionCache;
  let dir = dirname(createRequire(import.meta.url).resolve("@electric-sql/pglite"));
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
    if (pkg.name === "@electric-sql/pglite" && pkg.version) return (versionCache = pkg.version);
  }
  return (versionCache = "unknown");
}

/** The template's directory for the installed PGlite, or null when the cache is turned off. */
export function pgliteTemplateDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.REPRISE_PGLITE_TEMPLATE === "off") return null;
  const base = env.REPRISE_CACHE_DIR || (env.XDG_CACHE_HOME ? join(env.XDG_CACHE_HOME, "reprise") : join(homedir(), ".cache", "reprise"));
  return join(base, `pglite-${pgliteVersion()}-template`);
}

export function isInitialised(dataDir: string): boolean {
  return existsSync(join(dataDir, "PG_VERSION"));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function lockOwner(lock: string): Promise<number | null> {
  const text = await readFile(join(lock, "pid"), "utf8").catch(() => "");
  const pid = Number(text);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

async function acquire(lock: string, template: string): Promise<"acquired" | "ready" | "timeout"> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let ownerless = 0;
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, "pid"), String(process.pid));
      return "acquired";
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    if (isInitialised(template)) return "ready";
    const owner = await lockOwner(lock);
    // A lock with no pid yet is being written; one that stays ownerless (a crash between the two steps) is stale.
    if (owner === null ? ++ownerless > 50 : !alive(owner)) {
      await rm(lock, { recursive: true, force: true });
      ownerless = 0;
      continue;
    }
    if (Date.now() > deadline) return "timeout";
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Removes half-built templates left by processes that died while building. */
async function removeStaleBuilds(template: string): Promise<void> {
  const parent = dirname(template);
  const prefix = `${template.slice(parent.length + 1)}.tmp-`;
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split("-")[0]);
    if (!alive(pid)) await rm(join(parent, name), { recursive: true, force: true });
  }
}

async function build(template: string): Promise<string | null> {
  if (isInitialised(template)) return template;
  await mkdir(dirname(template), { recursive: true });
  const lock = `${template}.lock`;
  const got = await acquire(lock, template);
  if (got === "ready") return template;
  if (got === "timeout") return null;
  try {
    if (isInitialised(template)) return template;
    await removeStaleBuilds(template);
    const tmp = `${template}.tmp-${process.pid}-${threadId}`;
    await rm(tmp, { recursive: true, force: true });
    const { PGlite } = (await import("@electric-sql/pglite")) as unknown as { PGlite: new (dir: string) => { waitReady: Promise<void>; close(): Promise<void> } };
    const db = new PGlite(tmp);
    await db.waitReady;
    await db.close();
    await rm(template, { recursive: true, force: true });
    await rename(tmp, template);
    return template;
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

let building: Promise<string | null> | null = null;

/**
 * Builds the template if it is missing (once per thread; other threads and processes wait on the lock) and
 * resolves with its directory, or null when the cache is off or unusable (the caller then lets PGlite run initdb).
 */
export function ensurePGliteTemplate(): Promise<string | null> {
  const template = pgliteTemplateDir();
  if (!template) return Promise.resolve(null);
  if (isInitialised(template)) return Promise.resolve(template);
  building ??= build(template)
    .catch(() => null)
    .finally(() => {
      building = null;
    });
  return building;
}

/**
 * Gives an empty data directory the template's contents (copied beside it, then renamed into place so a crash
 * never leaves a half-copied cluster). Returns false when there is no template; the directory is left as it was.
 */
export async function seedDataDir(dataDir: string): Promise<boolean> {
  if (isInitialised(dataDir)) return true;
  const template = await ensurePGliteTemplate();
  if (!template) return false;
  const staging = `${dataDir}.seed-${process.pid}-${threadId}`;
  try {
    await rm(staging, { recursive: true, force: true });
    // Synchronous: measured faster than fs.promises.cp on the ~1,000 files of a cluster (this thread serves
    // nothing yet). A reflink where the filesystem has them.
    cpSync(template, staging, { recursive: true, mode: constants.COPYFILE_FICLONE });
    if (isInitialised(dataDir)) return true;
    // Only an empty directory (made by an earlier attempt) is replaced; anything else is left to PGlite.
    const existing = await readdir(dataDir).catch(() => null);
    if (existing && existing.length) return false;
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(dirname(dataDir), { recursive: true });
    await rename(staging, dataDir);
    return true;
  } catch {
    return false;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

let dump: Promise<Blob> | null = null;

/**
 * The initialised cluster as an uncompressed tar (PGlite's `dumpDataDir` format): built once per process from the
 * template above and cached on disk across processes. `new PGlite({ loadDataDir })` starts an in-memory database
 * from it without initdb and without copying a data directory.
 */
export function clusterDump(): Promise<Blob> {
  dump ??= buildDump().catch((e) => {
    dump = null;
    throw e;
  });
  return dump;
}

interface DumpablePGlite {
  waitReady: Promise<void>;
  dumpDataDir(compression?: "none" | "gzip" | "auto"): Promise<Blob>;
  close(): Promise<void>;
}

async function buildDump(): Promise<Blob> {
  const template = pgliteTemplateDir();
  const tarFile = template ? `${template.replace(/-template$/, "")}-memtemplate.tar` : null;
  if (tarFile && existsSync(tarFile)) {
    const bytes = await readFile(tarFile).catch(() => null);
    if (bytes && bytes.length > 0) return new Blob([bytes]);
  }
  const { PGlite } = (await import("@electric-sql/pglite")) as unknown as { PGlite: new (dir?: string) => DumpablePGlite };
  let copy: string | null = null;
  const dir = await ensurePGliteTemplate().catch(() => null);
  let pg: DumpablePGlite;
  if (dir) {
    copy = await mkdtemp(join(tmpdir(), "reprise-pglite-dump-"));
    await cp(dir, copy, { recursive: true });
    pg = new PGlite(copy);
  } else pg = new PGlite();
  try {
    await pg.waitReady;
    const blob = await pg.dumpDataDir("none");
    if (tarFile) {
      const staging = `${tarFile}.tmp-${process.pid}-${threadId}`;
      await writeFile(staging, new Uint8Array(await blob.arrayBuffer()))
        .then(() => rename(staging, tarFile))
        .catch(() => rm(staging, { force: true }));
    }
    return blob;
  } finally {
    await pg.close().catch(() => undefined);
    if (copy) await rm(copy, { recursive: true, force: true });
  }
}

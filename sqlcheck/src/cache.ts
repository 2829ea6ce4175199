/**
 * A ResultCache in a folder, one JSON file per key (the CLI uses `<app>/.reprise/cache/sql`): `reprise check`
 * with unchanged migrations and queries needs no embedded Postgres at all. Unreadable or malformed entries are
 * misses; failed writes are ignored (a read-only checkout just runs the check). The newest `keep` entries stay.
 */
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { CachedDatabase, ResultCache } from "./checker.js";

export function folderCache(dir: string, keep = 64): ResultCache {
  let pruned = false;
  return {
    async get(key) {
      if (!/^[0-9a-f]{64}$/.test(key)) return undefined;
      try {
        return JSON.parse(await readFile(join(dir, `${key}.json`), "utf8")) as CachedDatabase;
      } catch {
        return undefined;
      }
    },
    async set(key, value) {
      if (!/^[0-9a-f]{64}$/.test(key)) return;
      await mkdir(dir, { recursive: true });
      const file = join(dir, `${key}.json`);
      const staging = `${file}.tmp-${process.pid}`;
      await writeFile(staging, JSON.stringify(value));
      await rename(staging, file).catch(() => rm(staging, { force: true }));
      if (pruned) return;
      pruned = true;
      const entries = (await readdir(dir)).filter((f) => /^[0-9a-f]{64}\.json$/.test(f));
      if (entries.length <= keep) return;
      const withTimes = await Promise.all(entries.map(async (f) => ({ f, t: (await stat(join(dir, f)).catch(() => null))?.mtimeMs ?? 0 })));
      withTimes.sort((a, b) => b.t - a.t);
      for (const { f } of withTimes.slice(keep)) await rm(join(dir, f), { force: true });
    },
  };
}

/**
 * Hooks `reprise test` installs in each test process (cli/src/test/setup.ts); absent otherwise, so production
 * pays one global lookup per direct endpoint call, publish and delivery. Kept on `globalThis` so that every copy
 * of the SDK in a process sees the same hooks.
 */
export interface TestHooks {
  /**
   * A direct call of an endpoint function (`await place({...})`): returns the call through the runtime
   * (validation, auth, middleware, APIError mapping), or null to call the handler directly (inside a request).
   */
  call?(endpoint: object, params: unknown): Promise<unknown> | null;
  /** A test double standing in for endpoint `index` (model order), if a test installed one. */
  double?(index: number): ((params: unknown) => unknown) | undefined;
  /** A message was published (after the provider stored it). */
  published?(topic: string, message: unknown, id: string): void;
  /** A subscription's handler finished with a message (`error` set when it threw). */
  delivered?(topic: string, subscription: string, message: unknown, error: unknown): void;
  /**
   * The data directory (a `dumpDataDir` tar) an embedded database starts from, in memory, instead of opening its
   * folder: the migrated template in a test process, the initialised cluster in `reprise test`'s parent.
   */
  databaseDump?(name: string): Blob | null | Promise<Blob | null>;
}

const KEY = Symbol.for("reprise.testHooks");

export function testHooks(): TestHooks | undefined {
  return (globalThis as unknown as Record<symbol, TestHooks | undefined>)[KEY];
}

export function setTestHooks(hooks: TestHooks | undefined): void {
  (globalThis as unknown as Record<symbol, TestHooks | undefined>)[KEY] = hooks;
}

/** `reprise test`'s parent: the migrated embedded databases (open in this thread) as tars, by name. */
export async function dumpDatabases(names: string[]): Promise<Map<string, Blob>> {
  const { dumpDatabases: dump } = await import("../storage/sqldb/database.js");
  return dump(names);
}

/**
 * The deliberate gaps between `encore.dev` and Reprise: one table, read by the surface-parity test
 * (test/encore-surface.test.mjs) and rendered into docs/encore-compat.md (scripts/encore-surface.mjs). A value
 * listed here is still exported under its name, as a stand-in that throws `unsupported in Reprise: <name>` naming
 * the alternative, so an app that calls it fails with that message rather than `undefined is not a function`.
 */
export interface EncoreGap {
  /** The encore.dev subpath ("" = the package root). */
  module: string;
  name: string;
  kind: "value" | "type";
  /** What to use instead (shown in the error and the docs). */
  alternative: string;
}

export const ENCORE_GAPS: EncoreGap[] = [
  { module: "api", name: "IterableSocket", kind: "value", alternative: "Reprise hands streaming handlers its own stream object (async-iterable, `send`, `close`); use the one your handler receives instead of wrapping it." },
  { module: "api", name: "IterableStream", kind: "value", alternative: "Reprise hands streaming handlers its own stream object (async-iterable, `send`, `close`); use the one your handler receives instead of wrapping it." },
  { module: "api", name: "Sink", kind: "value", alternative: "Reprise hands streaming handlers its own stream object (async-iterable, `send`, `close`); use the one your handler receives instead of wrapping it." },
  { module: "api", name: "StaticAssets", kind: "value", alternative: "Declare static files with `api.static({ dir, path })`; the class itself cannot be constructed." },
  { module: "types", name: "Decimal", kind: "value", alternative: "Arbitrary-precision decimals are not implemented; keep amounts as integer minor units (cents) or strings, and NUMERIC in SQL." },
];

export class UnsupportedError extends Error {
  readonly code = "RP_UNSUPPORTED";
  constructor(name: string, alternative: string) {
    super(`unsupported in Reprise: ${name}. ${alternative}`);
    this.name = "UnsupportedError";
  }
}

function gap(module: string, name: string): EncoreGap {
  const g = ENCORE_GAPS.find((x) => x.module === module && x.name === name);
  if (!g) throw new Error(`internal: ${module}.${name} is not in ENCORE_GAPS`);
  return g;
}

/** A function that throws the gap's error when called. */
export function unsupportedFunction(module: string, name: string): (...args: unknown[]) => never {
  const g = gap(module, name);
  return () => {
    throw new UnsupportedError(name, g.alternative);
  };
}

/** A class whose constructor (and static methods) throw the gap's error. */
export function unsupportedClass(module: string, name: string, statics: string[] = []): new (...args: unknown[]) => never {
  const g = gap(module, name);
  const C = class {
    constructor() {
      throw new UnsupportedError(name, g.alternative);
    }
  } as unknown as new (...args: unknown[]) => never;
  Object.defineProperty(C, "name", { value: name });
  for (const s of statics) Object.defineProperty(C, s, { value: () => { throw new UnsupportedError(`${name}.${s}`, g.alternative); } });
  return C;
}

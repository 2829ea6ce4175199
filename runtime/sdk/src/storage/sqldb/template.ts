/**
 * Tagged-template queries: `${value}` becomes a `$n` placeholder and the value travels as a parameter, so user
 * input is never spliced into SQL text.
 */
export type Primitive = string | number | bigint | boolean | Buffer | Uint8Array | Date | null | undefined | Primitive[] | Record<string, unknown>;

export interface Built {
  text: string;
  params: unknown[];
}

export function build(strings: TemplateStringsArray, values: readonly unknown[]): Built {
  let text = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) text += `$${i + 1}${strings[i + 1] ?? ""}`;
  return { text, params: values.map(param) };
}

/** Normalises a parameter so both drivers (PGlite and pg) bind it the same way. */
export function param(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Date || Buffer.isBuffer(v) || v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return v.every((x) => x === null || typeof x !== "object" || x instanceof Date) ? v.map(param) : JSON.stringify(v);
  if (typeof v === "object") return JSON.stringify(v);
  return v;
}

/** Postgres types → the TypeScript type families a row field may use (for RP4104), and their display names. */

const FAMILY: Record<number, string[]> = {
  16: ["boolean"],
  20: ["number", "bigint", "string"], 21: ["number"], 23: ["number"], 26: ["number"],
  700: ["number"], 701: ["number"], 1700: ["number", "string"], 790: ["string", "number"],
  25: ["string"], 1043: ["string"], 1042: ["string"], 18: ["string"], 19: ["string"], 2950: ["string"],
  869: ["string"], 650: ["string"], 829: ["string"], 1186: ["string"], 1083: ["string"], 1266: ["string"],
  1082: ["date", "string"], 1114: ["date", "string"], 1184: ["date", "string"],
  114: ["json", "string", "number", "boolean", "array", "null"], 3802: ["json", "string", "number", "boolean", "array", "null"],
};

/** Families of a Postgres type, or null when unknown (no comparison). */
export function familiesOf(oid: number, typeName: string | undefined): string[] | null {
  const f = FAMILY[oid];
  if (f) return f;
  if (typeName?.endsWith("[]")) return ["array"];
  return null;
}

/** `reprise/types` (and `encore.dev/types`): duration strings; `Decimal` is a deliberate gap (internal/unsupported.ts). */
import { unsupportedClass } from "../internal/unsupported.js";

type DurationUnit = "ns" | "µs" | "ms" | "s" | "m" | "h";
type DurationComponent = `${number}${DurationUnit}`;

/** A length of time such as `"10s"`, `"500ms"`, `"1h30m"`. */
export type DurationString = DurationComponent | `${DurationComponent}${DurationComponent}` | `${DurationComponent} ${DurationComponent}`;

export type ToDecimal = string | number | bigint;

/** Not implemented in Reprise: constructing one throws `unsupported in Reprise: Decimal`. */
export const Decimal = unsupportedClass("types", "Decimal");
export type Decimal = never;

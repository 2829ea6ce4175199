/**
 * `encore.dev/metrics` is a deliberate gap for now (internal/unsupported.ts): each export is a stand-in that
 * throws `unsupported in Reprise: <name>` with what to do instead.
 */
import { unsupportedClass } from "../internal/unsupported.js";

export const Counter = unsupportedClass("metrics", "Counter");
export const CounterGroup = unsupportedClass("metrics", "CounterGroup");
export const Gauge = unsupportedClass("metrics", "Gauge");
export const GaugeGroup = unsupportedClass("metrics", "GaugeGroup");

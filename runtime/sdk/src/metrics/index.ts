/**
 * `encore.dev/metrics` (and `reprise/metrics`): counters and gauges, alone or in groups keyed by labels, as
 * encore.dev declares them. Each series also carries the `service` label: the service of the request (or Pub/Sub
 * delivery) being handled when it is recorded, else the service whose folder declared the metric. Values live in the app's
 * process (registry.ts): `reprise metrics` shows them, and they are exported over OTLP/HTTP to the collector the
 * runtime config names (`metrics.endpoint`, by default the tracing collector's `/v1/metrics`).
 */
import { callerFile } from "../config/registry.js";
import { currentState } from "../internal/context.js";
import { currentRequest } from "../index.js";
import { registry, type MetricKind, type Recorder } from "./registry.js";

/** Metric options (none yet, as in encore.dev). */
export interface MetricConfig {}

type LabelValues = Record<string, string | number | boolean>;

const NAME = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

function checkName(name: string): void {
  if (typeof name !== "string" || !NAME.test(name) || name.startsWith("e_")) {
    throw new TypeError(`invalid metric name ${JSON.stringify(name)}: use snake_case (a-z, 0-9, single underscores), not starting with "e_"`);
  }
}

function labelPairs(labels: LabelValues): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (k === "service") throw new TypeError('metric label name "service" is reserved');
    out[k] = typeof v === "number" ? String(Math.floor(v)) : String(v);
  }
  return out;
}

class Series {
  constructor(
    private readonly name: string,
    private readonly kind: MetricKind,
    private readonly labels: Record<string, string>,
    private readonly file: string | null,
  ) {}

  private recorder(): Recorder {
    const st = currentState();
    if (st) return { service: st.endpoint.service };
    const delivery = currentRequest();
    if (delivery?.type === "pubsub-message" && delivery.service) return { service: delivery.service };
    return { file: this.file };
  }

  protected record(value: number, add: boolean): void {
    if (typeof value !== "number" || !Number.isFinite(value)) throw new TypeError(`metric ${this.name}: value must be a finite number, got ${String(value)}`);
    registry().record(this.name, this.kind, this.labels, this.recorder(), value, add);
  }
}

/** A counter: a value that only goes up (exported as a cumulative sum). */
export class Counter extends Series {
  constructor(name: string, cfg?: MetricConfig, /** @internal */ labels: Record<string, string> = {}, /** @internal */ file: string | null = null) {
    checkName(name);
    super(name, "counter", labels, file ?? callerFile());
    void cfg;
  }
  /** Adds `value` (default 1; must not be negative). */
  increment(value = 1): void {
    if (value < 0) throw new RangeError(`counter increments must not be negative, got ${value}`);
    this.record(value, true);
  }
  ref(): Counter {
    return this;
  }
}

/** A gauge: a value that is set (the last value set is exported). */
export class Gauge extends Series {
  constructor(name: string, cfg?: MetricConfig, /** @internal */ labels: Record<string, string> = {}, /** @internal */ file: string | null = null) {
    checkName(name);
    super(name, "gauge", labels, file ?? callerFile());
    void cfg;
  }
  set(value: number): void {
    this.record(value, false);
  }
  ref(): Gauge {
    return this;
  }
}

/** Counters of one name, one per set of label values. */
export class CounterGroup<L extends Record<keyof L, string | number | boolean>> {
  private readonly members = new Map<string, Counter>();
  private readonly file: string | null;
  constructor(
    private readonly name: string,
    private readonly cfg?: MetricConfig,
  ) {
    checkName(name);
    this.file = callerFile();
  }
  with(labels: L): Counter {
    const pairs = labelPairs(labels as LabelValues);
    const key = JSON.stringify(pairs);
    let c = this.members.get(key);
    if (!c) this.members.set(key, (c = new Counter(this.name, this.cfg, pairs, this.file)));
    return c;
  }
  ref(): CounterGroup<L> {
    return this;
  }
}

/** Gauges of one name, one per set of label values. */
export class GaugeGroup<L extends Record<keyof L, string | number | boolean>> {
  private readonly members = new Map<string, Gauge>();
  private readonly file: string | null;
  constructor(
    private readonly name: string,
    private readonly cfg?: MetricConfig,
  ) {
    checkName(name);
    this.file = callerFile();
  }
  with(labels: L): Gauge {
    const pairs = labelPairs(labels as LabelValues);
    const key = JSON.stringify(pairs);
    let g = this.members.get(key);
    if (!g) this.members.set(key, (g = new Gauge(this.name, this.cfg, pairs, this.file)));
    return g;
  }
  ref(): GaugeGroup<L> {
    return this;
  }
}

/**
 * The process's metric series and their export. A series is (metric name, labels, service); counters add up
 * (cumulative since the series started), gauges keep the last value set. Recording is a Map update in JS, no
 * native call. Two readers:
 * - the runtime's admin route `GET /__reprise/admin/metrics` (`reprise metrics`): the series are handed to the
 *   addon at most once a second while something changed (`metricsPublish`), never per update;
 * - OTLP/HTTP (JSON encoding, `POST <metrics.endpoint>`) every `metrics.intervalSeconds` when the runtime config
 *   has an endpoint (by default the tracing collector's `/v1/metrics`), and once more at shutdown. A failed export
 *   is reported once on stderr and retried with the next interval (the values are cumulative, nothing is lost).
 * Timers are unref'd: metrics never keep the process alive.
 */
import type { AdminMetric } from "@reprise/protocol";
import { native } from "../config/native.js";
import { state } from "../config/registry.js";

export type MetricKind = "counter" | "gauge";

interface Series {
  name: string;
  kind: MetricKind;
  labels: Record<string, string>;
  service: string | null;
  value: number;
  startNs: bigint;
  updatedNs: bigint;
}

/**
 * Who recorded a value: a request's service, or (outside requests, e.g. at start-up) the file that declared the
 * metric, resolved to its service when the series are read, since the app model is known only after the app's
 * modules loaded.
 */
export type Recorder = { service: string } | { file: string | null };

const PUBLISH_MS = 1000;
const EXPORT_TIMEOUT_MS = 10_000;

class MetricsRegistry {
  readonly series = new Map<string, Series>();
  private dirty = false;
  private publishTimer: NodeJS.Timeout | null = null;
  private exportTimer: NodeJS.Timeout | null = null;
  private exporting: Promise<void> | null = null;
  private endpoint: string | null = null;
  private started = false;
  private reportedFailure = false;

  private readonly files = new Map<string, string | null>();

  record(name: string, kind: MetricKind, labels: Record<string, string>, by: Recorder, value: number, add: boolean): void {
    const who = "service" in by ? `s:${by.service}` : `f:${by.file ?? ""}`;
    const key = JSON.stringify([name, who, labels]);
    const now = nowNs();
    let s = this.series.get(key);
    if (!s) {
      const service = "service" in by ? by.service : null;
      if (!("service" in by)) this.files.set(key, by.file);
      s = { name, kind, labels, service, value: 0, startNs: now, updatedNs: now };
      this.series.set(key, s);
    }
    s.value = add ? s.value + value : value;
    s.updatedNs = now;
    this.dirty = true;
    this.start();
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.publishTimer = setInterval(() => this.tick(), PUBLISH_MS);
    this.publishTimer.unref();
    setImmediate(() => this.tick());
  }

  /**
   * Publishes, and starts the exporter once the runtime config is loaded (by `reprise run`'s start-up, or the
   * first infrastructure call of a script). Metrics never load it themselves: a metric recorded while the app's
   * modules load must not resolve the config before `reprise run` named its file.
   */
  private tick(): void {
    this.publish();
    const config = state().config;
    if (this.exportTimer || !config || !this.started) return;
    this.endpoint = config.metrics?.endpoint ?? null;
    if (!this.endpoint) return;
    this.exportTimer = setInterval(() => void this.export(), Math.max(1, config.metrics.intervalSeconds) * 1000);
    this.exportTimer.unref();
  }

  /**
   * The series with every service known: those recorded outside requests take the service of the file that
   * declared them, and merge with the same series recorded inside its requests (counters add, a gauge keeps the
   * value set last).
   */
  resolved(): Series[] {
    const out = new Map<string, Series>();
    for (const [key, raw] of this.series) {
      const service = this.files.has(key) ? serviceOfFile(this.files.get(key)!) : raw.service;
      const k = JSON.stringify([raw.name, service, raw.labels]);
      const prev = out.get(k);
      if (!prev) {
        out.set(k, { ...raw, service });
        continue;
      }
      const later = raw.updatedNs > prev.updatedNs;
      prev.value = raw.kind === "counter" ? prev.value + raw.value : later ? raw.value : prev.value;
      if (raw.startNs < prev.startNs) prev.startNs = raw.startNs;
      if (later) prev.updatedNs = raw.updatedNs;
    }
    return [...out.values()];
  }

  snapshot(): AdminMetric[] {
    return this.resolved().map((s) => ({ name: s.name, kind: s.kind, service: s.service, labels: s.labels, value: s.value }));
  }

  /** Hands the series to the addon for the admin route (when it is loaded and something changed). */
  publish(): void {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      native().metricsPublish?.(JSON.stringify(this.snapshot()));
    } catch {
      // No addon in this process (a script using the SDK without the runtime): the admin route does not exist.
    }
  }

  /** One OTLP export of every series (cumulative), if an endpoint is configured. */
  export(): Promise<void> {
    if (!this.endpoint || this.series.size === 0) return Promise.resolve();
    if (this.exporting) return this.exporting;
    const endpoint = this.endpoint;
    const body = JSON.stringify(toOtlp(this.resolved()));
    this.exporting = (async () => {
      try {
        const res = await fetch(endpoint, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
          signal: AbortSignal.timeout(EXPORT_TIMEOUT_MS),
        });
        if (!res.ok) throw new Error(`HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
        this.reportedFailure = false;
      } catch (e) {
        if (!this.reportedFailure) console.error(`reprise: metrics export to ${endpoint} failed (retried every interval): ${(e as Error).message}`);
        this.reportedFailure = true;
      } finally {
        this.exporting = null;
      }
    })();
    return this.exporting;
  }

  /** Stops the timers after a last publish and export. */
  async shutdown(): Promise<void> {
    this.tick();
    if (this.publishTimer) clearInterval(this.publishTimer);
    if (this.exportTimer) clearInterval(this.exportTimer);
    this.publishTimer = this.exportTimer = null;
    this.started = false;
    this.publish();
    if (this.exporting) await this.exporting;
    await this.export();
  }
}

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

type AnyValue = { stringValue: string };
const attr = (key: string, value: string): { key: string; value: AnyValue } => ({ key, value: { stringValue: value } });

/** OTLP/HTTP JSON (ExportMetricsServiceRequest): counters as cumulative monotonic sums, gauges as gauges. */
export function toOtlp(series: Series[]): unknown {
  const byName = new Map<string, Series[]>();
  for (const s of series) {
    const list = byName.get(s.name) ?? [];
    list.push(s);
    byName.set(s.name, list);
  }
  const metrics = [...byName.entries()].map(([name, list]) => {
    const dataPoints = list.map((s) => {
      const attributes = Object.entries(s.labels).map(([k, v]) => attr(k, v));
      if (s.service) attributes.push(attr("service", s.service));
      const value = Number.isInteger(s.value) ? { asInt: String(s.value) } : { asDouble: s.value };
      return { attributes, startTimeUnixNano: String(s.startNs), timeUnixNano: String(s.updatedNs), ...value };
    });
    return list[0]!.kind === "counter"
      ? { name, sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints } }
      : { name, gauge: { dataPoints } };
  });
  return {
    resourceMetrics: [
      {
        resource: { attributes: [attr("service.name", "reprise-app")] },
        scopeMetrics: [{ scope: { name: "reprise" }, metrics }],
      },
    ],
  };
}

const KEY = Symbol.for("reprise.metrics.registry");

/** The process-wide registry (one even with two copies of the SDK loaded). */
export function registry(): MetricsRegistry {
  const g = globalThis as unknown as Record<symbol, MetricsRegistry | undefined>;
  return (g[KEY] ??= new MetricsRegistry());
}

/** For stopInfra: a last export, then no timers. */
export async function shutdownMetrics(): Promise<void> {
  const g = globalThis as unknown as Record<symbol, MetricsRegistry | undefined>;
  await g[KEY]?.shutdown();
}

/** The app model's service whose folder holds `file` (the file that declared a metric), if any. */
export function serviceOfFile(file: string | null): string | null {
  const s = state();
  if (!file || !s.model || !s.appRoot) return null;
  let best: { name: string; len: number } | null = null;
  for (const svc of s.model.app.services) {
    const dir = (svc as { dir?: string }).dir;
    if (dir === undefined) continue;
    const abs = dir === "" || dir === "." ? s.appRoot : `${s.appRoot.replace(/\/$/, "")}/${dir.replace(/^\.\//, "").replace(/\/$/, "")}`;
    if ((file === abs || file.startsWith(abs + "/")) && (!best || abs.length > best.len)) best = { name: svc.name, len: abs.length };
  }
  return best?.name ?? null;
}

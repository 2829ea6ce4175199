/**
 * `reprise metrics`: the metric series of a running app (encore.dev/metrics counters and gauges, with their labels
 * and service), through the app's admin route. Values are as the app last published them (at most 1 s old).
 */
import { formatTable } from "../render/table.js";
import { METRICS_PATH, type AdminMetric, type AdminMetrics } from "@reprise/protocol";
import { TARGET_OPTIONS, Refused, Unreachable, UsageError, runCommand, toolRequest } from "../admin/client.js";

export const METRICS_USAGE = `Usage: reprise metrics [options]

Print the metric series (counters and gauges) of a running app (\`reprise run\`): name, kind, service, labels
and current value. Counters are cumulative since the app started.

Options:
${TARGET_OPTIONS}`;

export function formatMetrics(metrics: AdminMetric[]): string {
  if (metrics.length === 0) return "The app has recorded no metrics yet.";
  const sorted = [...metrics].sort((a, b) => (a.name + JSON.stringify(a.labels)).localeCompare(b.name + JSON.stringify(b.labels)));
  const rows = sorted.map((m) => [
    m.name,
    m.kind,
    m.service ?? "-",
    Object.entries(m.labels).map(([k, v]) => `${k}=${v}`).join(",") || "-",
    String(m.value),
  ]);
  return formatTable(["NAME", "KIND", "SERVICE", "LABELS", "VALUE"], rows);
}

export function run(argv: string[]): Promise<number> {
  return runCommand("metrics", METRICS_USAGE, argv, async (args, target) => {
    if (args.positional.length) throw new UsageError(`unexpected argument '${args.positional[0]}'`);
    const t = await target();
    let answer: AdminMetrics;
    try {
      answer = await toolRequest<AdminMetrics>(t, METRICS_PATH, { method: "GET" });
    } catch (e) {
      if (e instanceof Refused && e.status === 404) throw new Unreachable(`${t.url} has no Reprise metrics route; is it an app started with \`reprise run\` (this version) on this machine?`);
      throw e;
    }
    console.log(args.json ? JSON.stringify(answer, null, 2) : formatMetrics(answer.metrics));
    return 0;
  });
}

/** The waterfall layout of one trace: each span's row (tree order) and its bar as fractions of the trace's length. */
import { spanRows, type SpanRow, type TraceView } from "@reprise/protocol";

export interface WaterfallRow extends SpanRow {
  /** 0..1: where the bar starts and how wide it is, relative to the whole trace. */
  left: number;
  width: number;
}

export interface Waterfall {
  totalNs: number;
  rows: WaterfallRow[];
}

/** Bars never shrink below this fraction, so a 3 µs query stays visible (and clickable) next to a 2 s request. */
export const MIN_BAR = 0.004;

export function waterfall(trace: TraceView): Waterfall {
  const totalNs = Math.max(1, ...trace.spans.map((s) => s.startOffsetNs + s.durationNs));
  const rows = spanRows(trace).map((row) => {
    const left = Math.min(1, row.span.startOffsetNs / totalNs);
    const width = Math.min(1 - left, Math.max(MIN_BAR, row.span.durationNs / totalNs));
    return { ...row, left, width };
  });
  return { totalNs, rows };
}

/** Tick positions for the time axis: about `count` round values across the trace. */
export function ticks(totalNs: number, count = 5): number[] {
  const raw = totalNs / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = 0; t <= totalNs + step / 2 && out.length <= count + 1; t += step) out.push(t);
  return out;
}

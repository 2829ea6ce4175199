/**
 * Validation of 5-field cron expressions (minute hour day-of-month month day-of-week, UTC), matching what the
 * `cron-parser` package Encore uses accepts: `*`, `?`, numbers, names (JAN–DEC, SUN–SAT), ranges, steps, lists,
 * `L` (last day of month, or `5L` last Friday) and `n#k` (k-th weekday).
 */
export interface CronProblem {
  message: string;
  /** Index of the offending field (0–4), or -1 for the whole expression. */
  field: number;
}

const FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], base: 1 },
  { name: "day of week", min: 0, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], base: 0 },
] as const;

export function splitCron(expr: string): string[] {
  return expr.trim().split(/\s+/).filter((f) => f !== "");
}

export function validateCron(expr: string): CronProblem | null {
  const fields = splitCron(expr);
  if (fields.length !== 5) {
    return { message: `A cron schedule has exactly 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}: "${expr}".`, field: -1 };
  }
  for (let i = 0; i < 5; i++) {
    const err = validateField(fields[i], i);
    if (err) return { message: `Invalid ${FIELDS[i].name} field '${fields[i]}': ${err}.`, field: i };
  }
  return null;
}

function value(s: string, i: number): number | null {
  const f = FIELDS[i];
  if (/^\d+$/.test(s)) return Number(s);
  if ("names" in f) {
    const k = (f.names as readonly string[]).indexOf(s.toUpperCase());
    if (k >= 0) return k + f.base;
  }
  return null;
}

function validateField(field: string, i: number): string | null {
  const f = FIELDS[i];
  for (const part of field.split(",")) {
    if (part === "") return "empty list element";
    if ((part === "?" || part === "L") && (i === 2 || i === 4)) continue;
    if (i === 4 && /^[0-7]L$/.test(part)) continue;
    if (i === 4 && /^[0-7]#[1-5]$/.test(part)) continue;
    const [rangePart, step, ...more] = part.split("/");
    if (more.length) return `'${part}' has more than one '/'`;
    if (step !== undefined) {
      if (!/^\d+$/.test(step) || Number(step) === 0) return `step '${step}' must be a positive integer`;
      if (Number(step) > f.max) return `step ${step} is larger than the maximum ${f.max}`;
    }
    if (rangePart === "*") continue;
    const bounds = rangePart.split("-");
    if (bounds.length > 2) return `'${rangePart}' is not a range`;
    const nums = bounds.map((b) => value(b, i));
    for (let k = 0; k < nums.length; k++) {
      const n = nums[k];
      if (n === null) return `'${bounds[k]}' is not a number${"names" in f ? " or name" : ""}`;
      if (n < f.min || n > f.max) return `${n} is out of range ${f.min}–${f.max}`;
    }
    if (nums.length === 2 && nums[0]! > nums[1]!) return `range ${rangePart} runs backwards`;
  }
  return null;
}

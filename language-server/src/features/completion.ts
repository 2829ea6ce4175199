/**
 * Completion inside the option objects of declarations — `api({ method: "|" })`, `new CronJob("id", { every: "|" })`,
 * Subscription, Topic, SQLDatabase and Bucket options: option names, and values where the set is closed (methods,
 * booleans, delivery guarantees, duration units). Works on the raw text so that it still answers while the file is
 * half-typed and does not parse.
 */
import type { CompletionItem, Range } from "vscode-languageserver/node";
import { completionKind } from "../to-proto.js";

type Declaration = "api" | "cron" | "subscription" | "topic" | "database" | "bucket";

interface OptionSpec {
  doc: string;
  values?: string[];
  /** Values are written as string literals. */
  quoted?: boolean;
}

const BOOL = ["true", "false"];
const DURATIONS = ["1s", "10s", "30s", "1m", "5m", "10m", "1h", "24h", "7d"];

const OPTIONS: Record<Declaration, Record<string, OptionSpec>> = {
  api: {
    method: { doc: 'HTTP method(s): "GET", "POST", … or "*" for any. Default "POST".', values: ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "*"], quoted: true },
    path: { doc: "URL path, starting with /. Segments `:name` are path params, `*name` a wildcard. Default /<service>.<endpoint>." },
    expose: { doc: "Reachable from outside the app. Default false (private).", values: BOOL },
    auth: { doc: "Requires a valid auth handler result (401 otherwise). Default false.", values: BOOL },
    bodyLimit: { doc: "Maximum request body size in bytes; null = unlimited. Default 2 MiB." },
    tags: { doc: "Tags for middleware targeting and client generation." },
    sensitive: { doc: "Redact payloads and headers from traces.", values: BOOL },
  },
  cron: {
    title: { doc: "Human-readable title. Defaults to the id." },
    every: { doc: "Interval: a multiple of one minute, at most 24h (exclusive with schedule).", values: ["1m", "5m", "10m", "15m", "30m", "1h", "2h", "6h", "12h", "24h"], quoted: true },
    schedule: { doc: "Cron expression, five fields in UTC (exclusive with every).", values: ["0 * * * *", "0 0 * * *", "*/15 * * * *", "0 9 * * 1-5"], quoted: true },
    endpoint: { doc: "The api() endpoint to call." },
  },
  subscription: {
    handler: { doc: "Function receiving each message; throwing retries it." },
    ackDeadline: { doc: "Time the handler has before the message is redelivered. Default 30s.", values: DURATIONS, quoted: true },
    messageRetention: { doc: "How long undelivered messages are kept. Default 7d.", values: DURATIONS, quoted: true },
    maxConcurrency: { doc: "Maximum messages handled at once (non-negative integer)." },
    retryPolicy: { doc: "{ minBackoff, maxBackoff, maxRetries }. Defaults 10s, 10m, 100." },
  },
  topic: {
    deliveryGuarantee: { doc: "Delivery guarantee.", values: ["at-least-once", "exactly-once"], quoted: true },
    orderingAttribute: { doc: "Name of an Attribute<> field messages are ordered by." },
  },
  database: {
    migrations: { doc: 'Folder of numbered .up.sql migrations, e.g. "./migrations".', values: ["./migrations"], quoted: true },
  },
  bucket: {
    public: { doc: "Objects are publicly readable.", values: BOOL },
    versioned: { doc: "Keep every version of each object.", values: BOOL },
  },
};

const STR = String.raw`(?:"[^"\n]*"|'[^'\n]*'|\x60[^\x60\n]*\x60)`;
const CALLS: [Declaration, RegExp][] = [
  ["api", /\bapi(?:\.(?:raw|streamIn|streamOut|streamInOut|static))?\s*(?:<[^()]*>)?\s*\(\s*$/],
  ["cron", new RegExp(String.raw`\bnew\s+CronJob\s*\(\s*${STR}\s*,\s*$`)],
  ["subscription", new RegExp(String.raw`\bnew\s+Subscription\s*(?:<[^()]*>)?\s*\(\s*[\w$.]+\s*,\s*${STR}\s*,\s*$`)],
  ["topic", new RegExp(String.raw`\bnew\s+Topic\s*(?:<[^()]*>)?\s*\(\s*${STR}\s*,\s*$`)],
  ["database", new RegExp(String.raw`\bnew\s+SQLDatabase\s*\(\s*${STR}\s*,\s*$`)],
  ["bucket", new RegExp(String.raw`\bnew\s+Bucket\s*\(\s*${STR}\s*,\s*$`)],
];

const OPEN = new Set(["{", "(", "["]);
const CLOSE: Record<string, string> = { "}": "{", ")": "(", "]": "[" };

/** Offset of the `{` of the object literal directly around `offset`, or -1. Bounded to a few KB back. */
function enclosingObject(text: string, offset: number): number {
  const stack: string[] = [];
  const stop = Math.max(0, offset - 8000);
  for (let i = offset - 1; i >= stop; i--) {
    const c = text[i];
    if (c in CLOSE) stack.push(CLOSE[c]);
    else if (OPEN.has(c)) {
      if (stack.length) {
        if (stack.pop() !== c) return -1;
      } else return c === "{" ? i : -1;
    }
  }
  return -1;
}

function positionAt(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) (line++, (lineStart = i + 1));
  return { line, character: offset - lineStart };
}

export function completions(text: string, offset: number): CompletionItem[] {
  const brace = enclosingObject(text, offset);
  if (brace < 0) return [];
  const before = text.slice(Math.max(0, brace - 300), brace);
  const decl = CALLS.find(([, re]) => re.test(before))?.[0];
  if (!decl) return [];
  const options = OPTIONS[decl];
  // The entry being typed: from the last top-level comma (or the brace) to the cursor.
  let entryStart = brace + 1;
  let depth = 0;
  for (let i = offset - 1; i > brace; i--) {
    const c = text[i];
    if (c in CLOSE) depth++;
    else if (OPEN.has(c)) depth--;
    else if (c === "," && depth === 0) {
      entryStart = i + 1;
      break;
    }
  }
  const entry = text.slice(entryStart, offset);
  const valueMatch = /^\s*([A-Za-z_$][\w$]*)\s*:\s*(["'`]?)([^"'`]*)$/.exec(entry);
  if (valueMatch) {
    const spec = options[valueMatch[1]];
    if (!spec?.values) return [];
    const quote = valueMatch[2];
    const partial = valueMatch[3];
    // Inside quotes the edit replaces the word typed so far (and closes the string if the editor did not).
    const editRange: Range = { start: positionAt(text, offset - partial.length), end: positionAt(text, offset) };
    return spec.values.map((v, i) => {
      const insert = quote ? `${v}${text[offset] === quote ? "" : quote}` : spec.quoted ? JSON.stringify(v) : v;
      return {
        label: spec.quoted ? JSON.stringify(v) : v,
        kind: completionKind("optionValue"),
        detail: valueMatch[1],
        sortText: String(i).padStart(3, "0"),
        filterText: v,
        textEdit: { range: editRange, newText: insert },
      };
    });
  }
  const keyMatch = /^\s*([A-Za-z_$][\w$]*)?$/.exec(entry);
  if (!keyMatch) return [];
  const present = new Set<string>();
  for (const m of text.slice(brace, Math.min(text.length, offset + 2000)).matchAll(/[{,]\s*([A-Za-z_$][\w$]*)\s*:/g)) present.add(m[1]);
  return Object.entries(options)
    .filter(([name]) => !present.has(name))
    .map(([name, spec], i) => ({
      label: name,
      kind: completionKind("optionKey"),
      detail: `${decl} option`,
      documentation: spec.doc,
      sortText: String(i).padStart(3, "0"),
      insertText: `${name}: `,
    }));
}

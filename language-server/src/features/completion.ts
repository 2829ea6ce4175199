/**
 * Completion inside the option objects of declarations — `api({ method: "|" })`, `new CronJob("id", { every: "|" })`,
 * Subscription, Topic, SQLDatabase and Bucket options: option names, and values where the set is closed (methods,
 * booleans, delivery guarantees, duration units). Works on the raw text so that it still answers while the file is
 * half-typed and does not parse.
 */
import type { CompletionItem, Range } from "vscode-languageserver/node";
import { OPTION_SPECS, type OptionSpec, type OptionsOf } from "@reprise/analyzer";
import { completionKind } from "../to-proto.js";

type Declaration = OptionsOf;

/** The options each parser accepts (the analyser's one list), minus those only `api.static` takes. */
const OPTIONS: Record<Declaration, Record<string, OptionSpec>> = Object.fromEntries(
  Object.entries(OPTION_SPECS).map(([decl, specs]) => [decl, Object.fromEntries(Object.entries(specs).filter(([, spec]) => !spec.staticOnly))]),
) as Record<Declaration, Record<string, OptionSpec>>;

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

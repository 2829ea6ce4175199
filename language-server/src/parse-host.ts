/**
 * Where the language server runs swc. Files the guard clears are parsed in this process (cheapest: about 0.1 ms
 * of bookkeeping per parse). Before each in-process parse the absolute path is written to the supervisor's
 * marker pipe (REPRISE_PARSE_MARKERS_FD), so that if swc kills the process natively the supervisor knows which
 * file did it. Files that killed a server once ("quarantined", handed over by the supervisor) are parsed in a
 * short-lived child process instead: a crash there is reported as RP1007 and the server keeps going.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeSync } from "node:fs";
import * as path from "node:path";
import { IN_PROCESS_PARSER, NativeParserCrash, type ParserHost, type SwcParseOptions } from "@reprise/analyzer";

type Module = ReturnType<ParserHost["parse"]>;
const parseSync = (text: string, options: SwcParseOptions): Module => IN_PROCESS_PARSER.parse("", text, options);

const MARKER_FD = Number(process.env.REPRISE_PARSE_MARKERS_FD) || 0;
/** Tests only: a text containing this marker kills the parsing process with SIGSEGV, as a native crash would. */
const TEST_CRASH_MARKER = process.env.REPRISE_TEST_NATIVE_CRASH_MARKER || "";
const ISOLATED_PARSE_TIMEOUT_MS = 30_000;

function crashIfTestMarker(text: string): void {
  if (TEST_CRASH_MARKER && text.includes(TEST_CRASH_MARKER)) process.kill(process.pid, "SIGSEGV");
}

function marker(line: string): void {
  if (!MARKER_FD) return;
  try {
    writeSync(MARKER_FD, line);
  } catch {
    // The supervisor went away; nothing to tell.
  }
}

export class ServerParserHost implements ParserHost {
  constructor(
    private readonly rootDir: string,
    /** Absolute paths parsed in a child process. */
    private readonly quarantine: ReadonlySet<string>,
  ) {}

  parse(rel: string, text: string, options: SwcParseOptions): Module {
    const abs = path.join(this.rootDir, ...rel.split("/"));
    if (this.quarantine.has(abs)) return parseIsolated(text, options);
    marker(`P ${abs}\n`);
    try {
      crashIfTestMarker(text);
      return parseSync(text, options);
    } finally {
      marker("D\n");
    }
  }
}

/** Parses in a child process (this same entry script with REPRISE_PARSE_CHILD=1); a native crash there is survivable. */
export function parseIsolated(text: string, options: SwcParseOptions): Module {
  const args = [...process.execArgv.filter((a) => !a.startsWith("--inspect")), process.argv[1], ...process.argv.slice(2)];
  const r = spawnSync(process.execPath, args, {
    input: JSON.stringify({ text, options }),
    env: { ...process.env, REPRISE_PARSE_CHILD: "1", REPRISE_LSP_WORKER: "1" },
    maxBuffer: 1 << 30,
    timeout: ISOLATED_PARSE_TIMEOUT_MS,
    stdio: ["pipe", "pipe", "ignore"],
  });
  if (r.error && !r.signal) throw new NativeParserCrash(`the parser process could not run: ${r.error.message}`);
  if (r.signal) throw new NativeParserCrash(r.signal === "SIGTERM" && r.error ? `no answer within ${ISOLATED_PARSE_TIMEOUT_MS / 1000} s` : r.signal);
  if (r.status !== 0) throw new NativeParserCrash(`the parser process exited with ${r.status}`);
  const answer = JSON.parse(r.stdout.toString("utf8")) as { module?: Module; error?: string };
  if (answer.error !== undefined) throw new Error(answer.error);
  return answer.module!;
}

/** The child side of parseIsolated: reads {text, options} on stdin, writes {module} or {error} on stdout. */
export function runParseChild(): void {
  const { text, options } = JSON.parse(readFileSync(0, "utf8")) as { text: string; options: SwcParseOptions };
  let out: string;
  try {
    crashIfTestMarker(text);
    out = JSON.stringify({ module: parseSync(text, options) });
  } catch (err) {
    out = JSON.stringify({ error: String((err as Error)?.message ?? err) });
  }
  process.stdout.write(out, () => process.exit(0));
}

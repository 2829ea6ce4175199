/**
 * Talks to a running app's loopback admin routes (`/__reprise/admin/...`, runtime/src/admin.rs) for `reprise cron`
 * and `reprise pubsub`: the shared `--url`/`--port` options and one request helper that tells "no app there" (exit
 * 2) apart from "the app refused" (exit 1, with the app's error code and message).
 */

export class UsageError extends Error {}

/** Nothing answers at the URL, or what answers is not a Reprise app with admin routes: exit 2. */
export class Unreachable extends Error {}

/** The app answered with an error (`{code, message}`): exit 1. */
export class Refused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Target {
  url: string;
  json: boolean;
  help: boolean;
  /** What is left once the shared options are taken out. */
  positional: string[];
}

export const TARGET_OPTIONS = `  --url URL     the app's base URL (default: $REPRISE_URL, else http://127.0.0.1:<port>)
  --port N      the app's port on this machine (default: $PORT, else 4000)
  --json        print the admin route's JSON answer instead of text`;

export function parseTarget(argv: string[], env: NodeJS.ProcessEnv = process.env): Target {
  let url: string | undefined;
  let port: string | undefined;
  const out: Target = { url: "", json: false, help: false, positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (name: string) => {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (v === undefined || v === "") throw new UsageError(`${name} needs a value`);
      return v;
    };
    if (a === "--help" || a === "-h") out.help = true;
    else if (a === "--json") out.json = true;
    else if (a === "--url" || a.startsWith("--url=")) url = value("--url");
    else if (a === "--port" || a.startsWith("--port=")) port = value("--port");
    else if (a === "--") {
      out.positional.push(...argv.slice(i + 1));
      break;
    } else if (a.startsWith("-") && a !== "-") throw new UsageError(`unknown option '${a}'`);
    else out.positional.push(a);
  }
  if (url !== undefined && port !== undefined) throw new UsageError("give --url or --port, not both");
  if (port !== undefined && !(/^\d+$/.test(port) && Number(port) > 0 && Number(port) < 65536)) {
    throw new UsageError(`--port expected a port number (1-65535), got '${port}'`);
  }
  out.url = url ?? (port !== undefined ? `http://127.0.0.1:${port}` : env.REPRISE_URL || `http://127.0.0.1:${env.PORT || 4000}`);
  try {
    const u = new URL(out.url);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error();
  } catch {
    throw new UsageError(`--url '${out.url}' is not an http:// URL`);
  }
  return out;
}

/**
 * One admin request. `body` is sent as JSON text; `timeoutMs` null waits as long as the app takes (a cron run
 * answers when the job finished).
 */
export async function adminRequest<T>(base: string, path: string, init: { method: "GET" | "POST"; body?: string; timeoutMs?: number | null }): Promise<T> {
  const url = new URL(path, base).toString();
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method,
      body: init.body,
      headers: init.body === undefined ? undefined : { "content-type": "application/json" },
      signal: init.timeoutMs === null ? undefined : AbortSignal.timeout(init.timeoutMs ?? 10_000),
    });
  } catch (e) {
    const err = e as { name?: string; cause?: { code?: string; message?: string }; message?: string };
    if (err.name === "TimeoutError") throw new Unreachable(`${base} did not answer in time; is it a Reprise app?`);
    const cause = err.cause?.code ?? err.cause?.message ?? err.message;
    throw new Unreachable(`no app is running at ${base} (${cause}); start it with \`reprise run\` (or pass --url/--port)`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Unreachable(`${url} answered ${response.status} with a body that is not JSON; is ${base} a Reprise app?`);
  }
  if (!response.ok) {
    const { code, message } = body as { code?: string; message?: string };
    throw new Refused(response.status, code ?? "unknown", message ?? `HTTP ${response.status}`);
  }
  return body as T;
}

/** Runs a command body, mapping the errors above to messages and exit codes. */
export async function runCommand(name: string, usage: string, argv: string[], body: (t: Target) => Promise<number>): Promise<number> {
  let target: Target;
  try {
    target = parseTarget(argv);
    if (target.help) {
      console.log(usage);
      return 0;
    }
    return await body(target);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`reprise ${name}: ${e.message}\n\n${usage}`);
      return 2;
    }
    if (e instanceof Unreachable) {
      console.error(`reprise ${name}: ${e.message}`);
      return 2;
    }
    if (e instanceof Refused) {
      console.error(`reprise ${name}: ${e.code}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

/**
 * Talks to a running app's tool routes (`/__reprise/...`: traces, cron and pub/sub admin; runtime/src/tool_routes.rs)
 * for `reprise traces`, `reprise cron` and `reprise pubsub`: the shared `--url`/`--port` options, finding the running
 * instance of the app the command runs in (its instance file holds the URL and this run's token: cli/src/instances.ts),
 * and one request helper that tells "no app there" (exit 2) apart from "the app refused" (exit 1, with the app's error
 * code and message).
 */

/** `localhost` or a loopback address literal, as `URL.hostname` spells them (IPv6 in brackets). */
export function isLoopbackHostname(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === "localhost" || h === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

import { UsageError } from "../usage.js";
// The one usage-error type, re-exported for the commands that import it from here.
export { UsageError };

/**
 * No app to talk to: nothing answers at the URL, what answers is not a Reprise app, the folder's app is not
 * running (or runs more than once), or the app wants a token this folder does not have: exit 2.
 */
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

/** The command line, parsed (no IO). */
export interface TargetArgs {
  url: string | null;
  port: number | null;
  json: boolean;
  help: boolean;
  /** What is left once the options are taken out. */
  positional: string[];
  /** Values of the command's own options (e.g. `--limit` of `reprise traces`), by name. */
  options: Record<string, string>;
}

/** Where to send the requests. */
export interface Target {
  url: string;
  /** This run's token for the tool routes, from the app's instance file; null when none was found. */
  token: string | null;
  /** How the target was found, for error messages. */
  source: string;
}

export const TARGET_OPTIONS = `  --port N      the port of a running instance of the app in this folder (needed when several run)
  --url URL     the app's base URL (default: $REPRISE_URL, else the one instance of this folder's app)
  --json        print the route's JSON answer instead of text

The app is found through its instance files (<app>/.reprise/instances/<port>.json, written by \`reprise run\`),
which hold this run's token for the app's tool routes: run the command in the app's folder (or in a folder
holding apps: the one running instance among them is used).`;

export function parseTargetArgs(argv: string[], valueOptions: readonly string[] = []): TargetArgs {
  const out: TargetArgs = { url: null, port: null, json: false, help: false, positional: [], options: {} };
  let port: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.includes("=") ? a.slice(0, a.indexOf("=")) : a;
    const value = () => {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (v === undefined || v === "") throw new UsageError(`${name} needs a value`);
      return v;
    };
    if (a === "--help" || a === "-h") out.help = true;
    else if (a === "--json") out.json = true;
    else if (name === "--url") out.url = value();
    else if (name === "--port") port = value();
    else if (valueOptions.includes(name)) out.options[name] = value();
    else if (a === "--") {
      out.positional.push(...argv.slice(i + 1));
      break;
    } else if (a.startsWith("-") && a !== "-") throw new UsageError(`unknown option '${a}'`);
    else out.positional.push(a);
  }
  if (out.url !== null && port !== undefined) throw new UsageError("give --url or --port, not both");
  if (port !== undefined) {
    if (!(/^\d+$/.test(port) && Number(port) > 0 && Number(port) < 65536)) throw new UsageError(`--port expected a port number (1-65535), got '${port}'`);
    out.port = Number(port);
  }
  if (out.url !== null) checkUrl(out.url, "--url");
  return out;
}

function checkUrl(url: string, what: string): void {
  try {
    const u = new URL(url);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error();
  } catch {
    throw new UsageError(`${what} '${url}' is not an http:// URL`);
  }
}

/** A running instance of an app, found through its instance file. */
export interface FoundInstance {
  appRoot: string;
  port: number;
  pid: number;
  token: string;
  url: string;
}

/** What target resolution reads from the machine; the default reads the disk (tests pass their own). */
export interface InstanceSource {
  /** The app `cwd` is in (the nearest reprise.app / encore.app at or above it), else every app below it. */
  appRoots(cwd: string): { inside: boolean; roots: string[] };
  instances(appRoot: string): { port: number; pid: number; token: string; url: string }[];
}

async function diskSource(): Promise<InstanceSource> {
  const [{ findAppRoot, findAppRoots }, { liveInstances }] = await Promise.all([import("@reprise/analyzer/node"), import("../instances.js")]);
  return {
    appRoots: (cwd) => {
      const root = findAppRoot(cwd);
      return root ? { inside: true, roots: [root] } : { inside: false, roots: findAppRoots(cwd) };
    },
    instances: liveInstances,
  };
}

/**
 * The app to talk to: `--url` (or `$REPRISE_URL`) as given, `--port` on this machine, else the one running
 * instance of the app the current folder belongs to (or, outside any app, of the apps below it). The token comes
 * from the instance file of the app's port, and is never sent to a URL that is not on loopback.
 */
export async function resolveTarget(args: TargetArgs, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), source?: InstanceSource): Promise<Target> {
  const src = source ?? (await diskSource());
  const { inside, roots } = src.appRoots(cwd);
  const instances: FoundInstance[] = roots.flatMap((appRoot) => src.instances(appRoot).map((i) => ({ ...i, appRoot })));
  const where = inside ? `the app in ${roots[0]}` : `the apps below ${cwd}`;
  const url = args.url ?? (args.port === null && env.REPRISE_URL ? env.REPRISE_URL : null);
  if (url !== null) {
    if (args.url === null) checkUrl(url, "$REPRISE_URL");
    const u = new URL(url);
    const port = Number(u.port || (u.protocol === "https:" ? 443 : 80));
    const found = isLoopbackHostname(u.hostname) ? instances.find((i) => i.port === port) : undefined;
    return { url, token: found?.token ?? null, source: found ? instanceSource(found, inside) : args.url !== null ? "--url" : "$REPRISE_URL" };
  }
  if (args.port !== null) {
    const found = instances.find((i) => i.port === args.port);
    return { url: found?.url ?? `http://127.0.0.1:${args.port}`, token: found?.token ?? null, source: found ? instanceSource(found, inside) : "--port" };
  }
  if (inside || roots.length) {
    if (instances.length === 1) {
      const only = instances[0]!;
      return { url: only.url, token: only.token, source: instanceSource(only, inside) };
    }
    if (instances.length === 0) {
      throw new Unreachable(`no running instance of ${where} (no live file in .reprise/instances): start it with \`reprise run\`, or pass --port / --url`);
    }
    const list = instances.map((i) => `  --port ${String(i.port).padEnd(6)} ${i.url} (pid ${i.pid}${inside ? "" : `, ${i.appRoot}`})`).join("\n");
    throw new Unreachable(`${instances.length} instances of ${where} are running; choose one:\n${list}`);
  }
  throw new Unreachable(`${cwd} is not inside an app and holds none (no reprise.app or encore.app): run the command in the app's folder, or pass --port / --url`);
}

function instanceSource(i: FoundInstance, inside: boolean): string {
  return inside ? `.reprise/instances/${i.port}.json` : `${i.appRoot}/.reprise/instances/${i.port}.json`;
}

/**
 * One request to a tool route. `body` is sent as JSON text; `timeoutMs` null waits as long as the app takes (a
 * cron run answers when the job finished).
 */
export async function toolRequest<T>(target: Target, path: string, init: { method: "GET" | "POST"; body?: string; timeoutMs?: number | null }): Promise<T> {
  const base = target.url;
  const url = new URL(path, base).toString();
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers["content-type"] = "application/json";
  if (target.token !== null) headers.authorization = `Bearer ${target.token}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method,
      body: init.body,
      headers,
      redirect: "manual",
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
    if (response.status === 401) {
      const why =
        target.token === null
          ? `this folder has no instance file for ${base} (run the command in the folder of the app running there)`
          : `the token from ${target.source} was refused (a file left by an earlier run?)`;
      throw new Unreachable(`${base} wants this run's token: ${why}`);
    }
    throw new Refused(response.status, code ?? "unknown", message ?? `HTTP ${response.status}`);
  }
  return body as T;
}

/** Runs a command body, mapping the errors above to messages and exit codes. `body` gets the parsed arguments and
 * a function that finds the app (call it once the arguments are known to be good). */
export async function runCommand(
  name: string,
  usage: string,
  argv: string[],
  body: (args: TargetArgs, target: () => Promise<Target>) => Promise<number>,
  valueOptions: readonly string[] = [],
): Promise<number> {
  try {
    const args = parseTargetArgs(argv, valueOptions);
    if (args.help) {
      console.log(usage);
      return 0;
    }
    // The body checks its own arguments first, then asks for the target (which may read instance files).
    return await body(args, () => resolveTarget(args));
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

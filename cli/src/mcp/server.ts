/**
 * `reprise mcp`: a Model Context Protocol server over stdio (the official SDK, `@modelcontextprotocol/sdk`) for
 * coding agents. Two kinds of tools:
 * - from the app's files, no running app needed: the app model, diagnostics with their quick fixes, applying one
 *   fix, the endpoint list (the analyser runs on each call, so edits are seen);
 * - through a running app's admin API (docs/admin-api.md; the app found by its instance file as `reprise cron`
 *   finds it): calling an endpoint, traces, database schema and read-only queries, migration status, publishing,
 *   running a cron job, listing bucket objects. Without a running app they answer an error saying to start it
 *   with `reprise run`.
 * The diagnostics docs (docs/diagnostics/RPxxxx.md) are resources `reprise://diagnostics/RPxxxx`.
 * stdout belongs to the protocol: nothing else is written there.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  CallToolRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  type CallToolResult,
} from "@modelcontextprotocol/sdk/types.js";
import {
  CRON_LIST_PATH,
  TRACE_API_PATH,
  bucketObjectsPath,
  cronRunPath,
  dbMigrationsPath,
  dbQueryPath,
  dbSchemaPath,
  topicPublishPath,
  type AppModel,
  type Diagnostic,
  type TextEdit,
} from "@reprise/protocol";
import { Refused, Unreachable, resolveTarget, toolRequest, type Target } from "../admin/client.js";
import { loadApp } from "../render/app.js";

const DOCS_DIR = fileURLToPath(new URL("../../../../docs/diagnostics/", import.meta.url));

/** Why a tool call failed, told to the agent as the tool's error text. */
class ToolFailure extends Error {}

type Args = Record<string, unknown>;

interface ToolDef {
  name: string;
  description: string;
  inputSchema: { type: "object"; properties: Record<string, object>; required?: string[]; additionalProperties: false };
  run(args: Args): Promise<unknown>;
}

const str = (description: string) => ({ type: "string", description });
const num = (description: string) => ({ type: "integer", description, minimum: 0 });

function need(args: Args, name: string): string {
  const v = args[name];
  if (typeof v !== "string" || v === "") throw new ToolFailure(`argument "${name}" must be a non-empty string`);
  return v;
}

function optional<T>(args: Args, name: string, type: "string" | "number" | "object"): T | undefined {
  const v = args[name];
  if (v === undefined || v === null) return undefined;
  if (type === "object" ? typeof v !== "object" : typeof v !== type) throw new ToolFailure(`argument "${name}" must be a ${type}`);
  return v as T;
}

export interface McpOptions {
  /** The app's folder (or a folder inside it); default: the working directory. */
  appDir: string;
}

export function createMcpServer(options: McpOptions): Server {
  const appDir = resolve(options.appDir);

  const analyse = (): { root: string; model: AppModel } => {
    try {
      const app = loadApp(appDir);
      return { root: app.root, model: app.result.model };
    } catch (e) {
      throw new ToolFailure((e as Error).message);
    }
  };

  /** The running app, or a failure that says how to start it. */
  const target = async (): Promise<Target> => {
    const root = (() => {
      try {
        return loadApp(appDir).root;
      } catch {
        return appDir;
      }
    })();
    try {
      return await resolveTarget({ url: null, port: null, json: false, help: false, positional: [], options: {} }, process.env, root);
    } catch (e) {
      throw new ToolFailure(`${(e as Error).message}\nThis tool needs the app running: start it with \`reprise run\` in ${root}.`);
    }
  };

  const admin = async <T>(path: string, init: { method: "GET" | "POST"; body?: unknown } = { method: "GET" }): Promise<T> => {
    const t = await target();
    try {
      return await toolRequest<T>(t, path, { method: init.method, body: init.body === undefined ? undefined : JSON.stringify(init.body), timeoutMs: 60_000 });
    } catch (e) {
      if (e instanceof Refused) throw new ToolFailure(`${e.code}: ${e.message}`);
      if (e instanceof Unreachable) throw new ToolFailure(`${e.message}\nThis tool needs the app running: start it with \`reprise run\`.`);
      throw e;
    }
  };

  const docsPage = (code: string) => (/^RP\d{4}$/.test(code) && existsSync(join(DOCS_DIR, `${code}.md`)) ? `reprise://diagnostics/${code}` : null);

  const describeDiagnostic = (d: Diagnostic, index: number) => ({
    index,
    code: d.code,
    severity: d.severity,
    message: d.message,
    file: d.file,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    fixes: d.fixes.map((f, i) => ({ index: i, title: f.title, preferred: f.isPreferred === true })),
    docs: docsPage(d.code),
  });

  const tools: ToolDef[] = [
    {
      name: "app_model",
      description: "The app model (version 1) the analyser builds from the app's files: services, endpoints with their request/response JSON Schemas, databases, topics, subscriptions, cron jobs, buckets, secrets. Needs no running app.",
      inputSchema: { type: "object", properties: {}, additionalProperties: false },
      run: async () => analyse().model,
    },
    {
      name: "diagnostics",
      description: "The analyser's diagnostics for the app (errors, warnings, hints), each with its quick fixes (by index) and its docs resource. Needs no running app.",
      inputSchema: { type: "object", properties: {}, additionalProperties: false },
      run: async () => {
        const { model } = analyse();
        return { diagnostics: model.diagnostics.map(describeDiagnostic) };
      },
    },
    {
      name: "apply_fix",
      description: "Applies one quick fix of a diagnostic to the files on disk. `diagnostic` and `fix` are the indexes the diagnostics tool gave; `code` must be that diagnostic's code (a changed file that moved the indexes is refused). Answers the diagnostics after the fix.",
      inputSchema: {
        type: "object",
        properties: { diagnostic: num("index from the diagnostics tool"), fix: num("index of the fix in that diagnostic"), code: str("the diagnostic's code as the diagnostics tool gave it") },
        required: ["diagnostic", "fix", "code"],
        additionalProperties: false,
      },
      run: async (args) => {
        const { root, model } = analyse();
        const di = args.diagnostic;
        const fi = args.fix;
        if (typeof di !== "number" || typeof fi !== "number") throw new ToolFailure("diagnostic and fix must be numbers");
        const d = model.diagnostics[di];
        if (!d || d.code !== need(args, "code")) throw new ToolFailure(`diagnostic ${di} is not ${String(args.code)} any more (the files changed): list the diagnostics again`);
        const f = d.fixes[fi];
        if (!f) throw new ToolFailure(`diagnostic ${di} (${d.code}) has ${d.fixes.length} fix(es); there is no fix ${fi}`);
        const changed = applyEdits(root, f.edits);
        const after = analyse().model;
        return { applied: f.title, files: changed, diagnostics: after.diagnostics.map(describeDiagnostic) };
      },
    },
    {
      name: "list_endpoints",
      description: "Every endpoint of the app: service, name, HTTP methods, path, whether it is exposed and needs auth. Needs no running app.",
      inputSchema: { type: "object", properties: {}, additionalProperties: false },
      run: async () => {
        const { model } = analyse();
        return {
          endpoints: model.app.services.flatMap((s) =>
            s.endpoints.map((e) => ({ service: s.name, name: e.name, methods: e.method, path: e.path, expose: e.expose, auth: e.auth, raw: e.raw })),
          ),
        };
      },
    },
    {
      name: "call_endpoint",
      description: "Sends one HTTP request to the running app (`reprise run`) and answers its status, headers and body. `path` is the request path with parameters filled in (e.g. /users/42?verbose=true).",
      inputSchema: {
        type: "object",
        properties: {
          method: str("GET, POST, PUT, PATCH, DELETE, ..."),
          path: str("request path, starting with /"),
          body: { description: "JSON body (any JSON value)" },
          headers: { type: "object", description: "extra request headers", additionalProperties: { type: "string" } },
        },
        required: ["method", "path"],
        additionalProperties: false,
      },
      run: async (args) => {
        const method = need(args, "method").toUpperCase();
        const path = need(args, "path");
        if (!path.startsWith("/") || path.startsWith("//") || path.startsWith("/__reprise")) throw new ToolFailure("path must start with / and name an app route (not /__reprise)");
        const t = await target();
        const headers: Record<string, string> = { ...(optional<Record<string, string>>(args, "headers", "object") ?? {}) };
        const body = args.body === undefined ? undefined : JSON.stringify(args.body);
        if (body !== undefined) headers["content-type"] ??= "application/json";
        const started = performance.now();
        const res = await fetch(new URL(path, t.url), { method, headers, body, redirect: "manual", signal: AbortSignal.timeout(60_000) });
        const text = await res.text();
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        return {
          status: res.status,
          headers: Object.fromEntries(res.headers),
          body: json ?? text.slice(0, 100_000),
          traceId: res.headers.get("x-reprise-trace-id"),
          ms: Math.round(performance.now() - started),
        };
      },
    },
    {
      name: "traces_list",
      description: "The running app's recent traces (newest first): id, root endpoint, status, duration.",
      inputSchema: { type: "object", properties: { limit: num("how many (default 20)") }, additionalProperties: false },
      run: async (args) => admin(`${TRACE_API_PATH}?limit=${optional<number>(args, "limit", "number") ?? 20}`),
    },
    {
      name: "trace_get",
      description: "One trace of the running app with all its spans (requests, calls, SQL, pub/sub, logs, errors).",
      inputSchema: { type: "object", properties: { id: str("trace id (32 hex digits)") }, required: ["id"], additionalProperties: false },
      run: async (args) => {
        const id = need(args, "id");
        if (!/^[0-9a-f]{32}$/.test(id)) throw new ToolFailure("a trace id is 32 lowercase hex digits");
        return admin(`${TRACE_API_PATH}/${id}`);
      },
    },
    {
      name: "db_schema",
      description: "Tables of one of the running app's databases: columns (type, nullable, default, primary key), indexes, row counts.",
      inputSchema: { type: "object", properties: { database: str("database name") }, required: ["database"], additionalProperties: false },
      run: async (args) => admin(dbSchemaPath(need(args, "database"))),
    },
    {
      name: "db_query",
      description: "Runs one SQL statement read-only (in a READ ONLY transaction that is rolled back: writes fail) against one of the running app's databases. Results are capped (1000 rows, 1 MiB); the answer says which cap cut it.",
      inputSchema: {
        type: "object",
        properties: { database: str("database name"), sql: str("one SQL statement; $1, $2 ... for params"), params: { type: "array", description: "values for $1, $2, ..." } },
        required: ["database", "sql"],
        additionalProperties: false,
      },
      run: async (args) => admin(dbQueryPath(need(args, "database")), { method: "POST", body: { sql: need(args, "sql"), params: args.params ?? [], write: false } }),
    },
    {
      name: "migrations_status",
      description: "Migrations of one of the running app's databases: applied (when), pending, failed (with the error).",
      inputSchema: { type: "object", properties: { database: str("database name") }, required: ["database"], additionalProperties: false },
      run: async (args) => admin(dbMigrationsPath(need(args, "database"))),
    },
    {
      name: "publish",
      description: "Publishes a message (JSON) to a topic of the running app; it is validated against the topic's message schema.",
      inputSchema: { type: "object", properties: { topic: str("topic name"), message: { description: "the message (JSON)" } }, required: ["topic", "message"], additionalProperties: false },
      run: async (args) => {
        if (args.message === undefined) throw new ToolFailure('argument "message" is required');
        return admin(topicPublishPath(need(args, "topic")), { method: "POST", body: args.message });
      },
    },
    {
      name: "cron_list",
      description: "The running app's cron jobs: schedule, endpoint, running, next run.",
      inputSchema: { type: "object", properties: {}, additionalProperties: false },
      run: async () => admin(CRON_LIST_PATH),
    },
    {
      name: "cron_run",
      description: "Runs one cron job of the running app now and waits until it finished.",
      inputSchema: { type: "object", properties: { job: str("cron job name") }, required: ["job"], additionalProperties: false },
      run: async (args) => admin(cronRunPath(need(args, "job")), { method: "POST" }),
    },
    {
      name: "bucket_list",
      description: "Objects of one of the running app's buckets (key, size, etag), in key order, with prefix and paging (`after` = the previous page's nextAfter).",
      inputSchema: {
        type: "object",
        properties: { bucket: str("bucket name"), prefix: str("key prefix"), after: str("list keys after this one"), limit: num("at most this many (default 100, max 1000)") },
        required: ["bucket"],
        additionalProperties: false,
      },
      run: async (args) =>
        admin(
          bucketObjectsPath(need(args, "bucket"), {
            prefix: optional<string>(args, "prefix", "string"),
            after: optional<string>(args, "after", "string"),
            limit: optional<number>(args, "limit", "number"),
          }),
        ),
    },
  ];

  const server = new Server({ name: "reprise", version: "0.1.0" }, { capabilities: { tools: {}, resources: {} } });

  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: tools.map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema })),
  }));

  server.setRequestHandler(CallToolRequestSchema, async (req): Promise<CallToolResult> => {
    const tool = tools.find((t) => t.name === req.params.name);
    if (!tool) return { isError: true, content: [{ type: "text", text: `no tool named ${JSON.stringify(req.params.name)}` }] };
    try {
      const value = await tool.run((req.params.arguments ?? {}) as Args);
      return { content: [{ type: "text", text: JSON.stringify(value, null, 2) }] };
    } catch (e) {
      const text = e instanceof ToolFailure ? e.message : `internal error: ${(e as Error).stack ?? String(e)}`;
      return { isError: true, content: [{ type: "text", text }] };
    }
  });

  server.setRequestHandler(ListResourcesRequestSchema, async () => ({
    resources: (existsSync(DOCS_DIR) ? readdirSync(DOCS_DIR) : [])
      .filter((f) => /^RP\d{4}\.md$/.test(f))
      .sort()
      .map((f) => {
        const code = f.slice(0, -3);
        const first = readFileSync(join(DOCS_DIR, f), "utf8").split("\n").find((l) => l.startsWith("# "));
        return { uri: `reprise://diagnostics/${code}`, name: code, title: first?.slice(2), mimeType: "text/markdown" };
      }),
  }));

  server.setRequestHandler(ReadResourceRequestSchema, async (req) => {
    const m = /^reprise:\/\/diagnostics\/(RP\d{4})$/.exec(req.params.uri);
    const file = m ? join(DOCS_DIR, `${m[1]}.md`) : null;
    if (!file || !existsSync(file)) throw new Error(`no resource ${req.params.uri}`);
    return { contents: [{ uri: req.params.uri, mimeType: "text/markdown", text: readFileSync(file, "utf8") }] };
  });

  return server;
}

/** Applies a fix's edits (0-based lines and UTF-16 characters, as the model's ranges) to files under `root`. */
export function applyEdits(root: string, edits: TextEdit[]): string[] {
  const byFile = new Map<string, TextEdit[]>();
  for (const e of edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  const changed: string[] = [];
  for (const [file, list] of byFile) {
    const path = resolve(root, file);
    if (path !== root && !path.startsWith(root + sep)) throw new ToolFailure(`the fix edits ${file}, which is outside the app`);
    let text = existsSync(path) ? readFileSync(path, "utf8") : list.some((e) => e.create) ? "" : null;
    if (text === null) throw new ToolFailure(`the fix edits ${file}, which does not exist`);
    const offset = (t: string, line: number, character: number) => {
      let at = 0;
      for (let l = 0; l < line; l++) {
        const nl = t.indexOf("\n", at);
        if (nl < 0) throw new ToolFailure(`the fix's range is past the end of ${file} (did it change?)`);
        at = nl + 1;
      }
      return at + character;
    };
    // From the end backwards, so earlier offsets stay valid.
    const sorted = [...list].sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character);
    for (const e of sorted) {
      const from = offset(text, e.range.start.line, e.range.start.character);
      const to = offset(text, e.range.end.line, e.range.end.character);
      text = text.slice(0, from) + e.newText + text.slice(to);
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    changed.push(file);
  }
  return changed;
}

export async function serveMcp(options: McpOptions): Promise<void> {
  const server = createMcpServer(options);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolveClosed) => {
    server.onclose = () => resolveClosed();
  });
  await server.connect(transport);
  await closed;
}

/**
 * The JavaScript half of the runtime's admin routes (docs/admin-api.md): runtime/src/admin.rs answers cron and
 * publish itself and hands every other `/__reprise/admin/*` request here, after the tool routes' gate (loopback
 * Host, Origin on writes, the run's token) let it through. This module routes it: the app model, databases and
 * migrations (storage/sqldb/admin.ts, loaded only when asked), buckets and pub/sub listings through the same
 * providers the app uses. Only resources the app model declares are reachable: an unknown database, bucket,
 * topic or subscription is 404, never created.
 */
import {
  OBJECTS_DEFAULT_LIMIT,
  OBJECTS_MAX_LIMIT,
  type AdminAppInfo,
  type AdminBucketList,
  type AdminDatabaseList,
  type AdminDeadLetter,
  type AdminDeadLetterList,
  type AdminObjectAttrs,
  type AdminObjectList,
  type AdminRedrive,
  type AdminTopicList,
} from "@reprise/protocol";
import { native, nativeCode } from "./native.js";
import { state } from "./registry.js";

/** What admin.rs sends (`answer_in_js`). */
interface AdminRequest {
  token: number;
  method: string;
  /** The path after `/__reprise/admin`, still percent-encoded. */
  path: string;
  query: string;
  /** base64 */
  body: string;
  contentType: string | null;
  ifNoneMatch: string | null;
}

/** What admin.rs turns into the HTTP answer. */
interface AdminAnswer {
  status: number;
  contentType?: string;
  headers?: [string, string][];
  body: string;
  base64?: boolean;
}

class Failure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> | null = null,
  ) {
    super(message);
  }
}

const json = (value: unknown, status = 200): AdminAnswer => ({ status, body: JSON.stringify(value) });

function failureAnswer(e: unknown): AdminAnswer {
  const f = e as Partial<Failure>;
  if (typeof f.status === "number" && typeof f.code === "string") {
    return json({ code: f.code, message: (e as Error).message, details: f.details ?? null }, f.status);
  }
  return json({ code: "internal", message: e instanceof Error ? e.message : String(e), details: null }, 500);
}

/** One request from admin.rs (JSON text); answers it through `infraAdminDone`. */
export function handleAdminRequest(text: string): void {
  let req: AdminRequest;
  try {
    req = JSON.parse(text) as AdminRequest;
  } catch {
    return;
  }
  answer(req)
    .catch(failureAnswer)
    .then((a) => native().infraAdminDone(req.token, JSON.stringify(a)));
}

function segments(path: string): string[] {
  const parts = path.replace(/^\/+|\/+$/g, "").split("/");
  return parts.map((p) => {
    let s: string;
    try {
      s = decodeURIComponent(p);
    } catch {
      throw new Failure(400, "invalid_argument", `the path segment ${JSON.stringify(p.slice(0, 80))} is not valid percent-encoding`);
    }
    if (!s) throw new Failure(404, "not_found", "not found");
    return s;
  });
}

function methodNotAllowed(method: string, allow: string): Failure {
  return new Failure(405, "invalid_argument", `method ${method} is not allowed here; use ${allow}`);
}

export async function answer(req: AdminRequest): Promise<AdminAnswer> {
  const parts = segments(req.path);
  const q = new URLSearchParams(req.query);
  const m = req.method;
  const expect = (allow: string) => {
    if (m !== allow && !(allow === "GET" && m === "HEAD")) throw methodNotAllowed(m, allow);
  };
  switch (parts[0]) {
    case "app": {
      if (parts.length !== 1) break;
      expect("GET");
      const model = state().model as ({ diagnostics?: unknown[] } & object) | null;
      if (!model) throw new Failure(503, "unavailable", "the app's model is not loaded (the infrastructure has not started)");
      return json({ model, diagnostics: model.diagnostics ?? [], appRoot: state().appRoot ?? null } satisfies AdminAppInfo);
    }
    case "databases":
      return databases(req, parts.slice(1), q);
    case "buckets":
      return buckets(req, parts.slice(1), q);
    case "topics":
      return topics(req, parts.slice(1));
  }
  throw new Failure(404, "not_found", "not found");
}

// ---- databases ---------------------------------------------------------------------------------------------

async function databases(req: AdminRequest, parts: string[], q: URLSearchParams): Promise<AdminAnswer> {
  const m = req.method;
  const only = (allow: string) => {
    if (m !== allow) throw methodNotAllowed(m, allow);
  };
  if (parts.length === 0) {
    only("GET");
    const dbs = state().model?.app.databases ?? [];
    const n = native();
    return json({
      databases: dbs.map((d) => ({ name: d.name, engine: n.infraDatabase(d.name).connectionString ? "postgres" : "pglite", migrationsDir: d.migrations.dir })),
    } satisfies AdminDatabaseList);
  }
  const sql = await import("../storage/sqldb/admin.js");
  const [db, what, ...rest] = parts as [string, string | undefined, ...string[]];
  try {
    if (what === "schema" && rest.length === 0) {
      only("GET");
      return json(await sql.schema(db));
    }
    if (what === "tables" && rest.length === 2 && rest[1] === "rows") {
      only("GET");
      return json(await sql.rows(db, rest[0]!, q));
    }
    if (what === "query" && rest.length === 0) {
      only("POST");
      let body: unknown;
      try {
        body = JSON.parse(Buffer.from(req.body, "base64").toString("utf8"));
      } catch (e) {
        throw new Failure(400, "invalid_argument", `the body is not valid JSON: ${(e as Error).message}`);
      }
      return json(await sql.query(db, body));
    }
    if (what === "migrations" && rest.length === 0) {
      only("GET");
      return json(await sql.migrationStatus(db));
    }
    if (what === "migrations" && rest.length === 1 && rest[0] === "apply") {
      only("POST");
      return json(await sql.applyMigrations(db));
    }
  } catch (e) {
    if (e instanceof sql.AdminFailure) throw new Failure(e.status, e.code, e.message, e.details);
    throw e;
  }
  throw new Failure(404, "not_found", "not found");
}

// ---- buckets -----------------------------------------------------------------------------------------------

function bucketFailure(e: unknown): Failure {
  if (e instanceof Failure) return e;
  const { code, message } = nativeCode(e);
  switch (code) {
    case "NotFound":
    case "NoSuchBucket":
      return new Failure(404, "not_found", message);
    case "InvalidKey":
      return new Failure(400, "invalid_argument", message);
    case "PreconditionFailed":
      return new Failure(412, "failed_precondition", message);
    default:
      return new Failure(500, "internal", message);
  }
}

function keyParam(q: URLSearchParams): string {
  const key = q.get("key");
  if (key == null || key === "") throw new Failure(400, "invalid_argument", "the object key goes in the `key` query parameter");
  return key;
}

async function buckets(req: AdminRequest, parts: string[], q: URLSearchParams): Promise<AdminAnswer> {
  const m = req.method;
  const declared = state().model?.app.buckets ?? [];
  if (parts.length === 0) {
    if (m !== "GET") throw methodNotAllowed(m, "GET");
    return json({ buckets: declared.map((b) => ({ name: b.name, public: b.public })) } satisfies AdminBucketList);
  }
  const name = parts[0]!;
  const bucket = declared.find((b) => b.name === name);
  if (!bucket) {
    throw new Failure(404, "not_found", `no bucket named ${JSON.stringify(name)} (defined: ${declared.map((b) => b.name).join(", ") || "none"})`);
  }
  const { ensureProviders } = await import("./infra.js");
  await ensureProviders();
  const n = native();
  const rest = parts.slice(1).join("/");
  try {
    if (rest === "objects") {
      if (m !== "GET") throw methodNotAllowed(m, "GET");
      const prefix = q.get("prefix") ?? "";
      const after = q.get("after");
      const rawLimit = q.get("limit");
      const limit = rawLimit == null || rawLimit === "" ? OBJECTS_DEFAULT_LIMIT : Number(rawLimit);
      if (!Number.isInteger(limit) || limit < 1 || limit > OBJECTS_MAX_LIMIT) {
        throw new Failure(400, "invalid_argument", `limit must be a whole number from 1 to ${OBJECTS_MAX_LIMIT}`);
      }
      // The providers list from the start of the prefix; paging past `after` is done here (keys in byte order).
      const all = JSON.parse(await n.infraBucketList(bucket.name, bucket.public, prefix || undefined)) as { name: string; size: number; etag: string }[];
      const sorted = all.sort((a, b) => (Buffer.compare(Buffer.from(a.name), Buffer.from(b.name))));
      const from = after == null ? sorted : sorted.filter((o) => Buffer.compare(Buffer.from(o.name), Buffer.from(after)) > 0);
      const page = from.slice(0, limit);
      return json({
        bucket: bucket.name,
        prefix,
        objects: page.map((o) => ({ key: o.name, size: o.size, etag: o.etag })),
        nextAfter: from.length > limit ? page[page.length - 1]!.name : null,
      } satisfies AdminObjectList);
    }
    if (rest === "object/attrs") {
      if (m !== "GET") throw methodNotAllowed(m, "GET");
      return json(attrsOf(JSON.parse(await n.infraBucketAttrs(bucket.name, bucket.public, keyParam(q)))));
    }
    if (rest === "object") {
      const key = keyParam(q);
      if (m === "GET" || m === "HEAD") {
        const attrs = attrsOf(JSON.parse(await n.infraBucketAttrs(bucket.name, bucket.public, key)));
        const data = m === "HEAD" ? Buffer.alloc(0) : await n.infraBucketDownload(bucket.name, bucket.public, key);
        const file = key.split("/").pop() || "object";
        return {
          status: 200,
          contentType: attrs.contentType || "application/octet-stream",
          headers: [
            ["content-disposition", `attachment; filename*=UTF-8''${encodeURIComponent(file)}`],
            ["content-security-policy", "sandbox"],
            ["etag", JSON.stringify(attrs.etag)],
          ],
          body: data.toString("base64"),
          base64: true,
        };
      }
      if (m === "PUT") {
        const data = Buffer.from(req.body, "base64");
        const notExists = req.ifNoneMatch?.trim() === "*";
        const attrs = JSON.parse(await n.infraBucketUpload(bucket.name, bucket.public, key, data, req.contentType ?? undefined, notExists));
        return json(attrsOf(attrs));
      }
      if (m === "DELETE") {
        if (!(await n.infraBucketExists(bucket.name, bucket.public, key))) throw new Failure(404, "not_found", `no object ${JSON.stringify(key)} in bucket ${JSON.stringify(bucket.name)}`);
        await n.infraBucketRemove(bucket.name, bucket.public, key);
        return { status: 204, body: "" };
      }
      throw methodNotAllowed(m, "GET, PUT, DELETE");
    }
  } catch (e) {
    throw bucketFailure(e);
  }
  throw new Failure(404, "not_found", "not found");
}

function attrsOf(a: { name: string; size: number; etag: string; contentType?: string | null; version?: string | null }): AdminObjectAttrs {
  return { key: a.name, size: a.size, etag: a.etag, contentType: a.contentType ?? null, version: a.version ?? null };
}

// ---- pub/sub -----------------------------------------------------------------------------------------------

interface NativeDeadLetter {
  id: string;
  attempts: number;
  error: string;
  message: string;
}

function deadLetter(d: NativeDeadLetter): AdminDeadLetter {
  let message: unknown = d.message;
  try {
    message = JSON.parse(d.message);
  } catch {
    // Not JSON: shown as text.
  }
  return { id: d.id, attempts: d.attempts, error: d.error, message };
}

async function topics(req: AdminRequest, parts: string[]): Promise<AdminAnswer> {
  const m = req.method;
  const declared = state().model?.app.topics ?? [];
  const { ensureProviders } = await import("./infra.js");
  const config = await ensureProviders();
  const n = native();
  const dead = async (topic: string, sub: string) => (JSON.parse(await n.infraDeadLetters(topic, sub)) as NativeDeadLetter[]).map(deadLetter);
  try {
    if (parts.length === 0) {
      if (m !== "GET") throw methodNotAllowed(m, "GET");
      const out: AdminTopicList = { provider: config.pubsub.provider, topics: [] };
      for (const t of declared) {
        const subscriptions = [];
        for (const s of t.subscriptions) subscriptions.push({ name: s.name, service: s.service ?? null, deadLetters: (await dead(t.name, s.name)).length });
        out.topics.push({ name: t.name, subscriptions });
      }
      return json(out);
    }
    const [topic, what, sub, kind, id, action] = parts;
    const t = declared.find((x) => x.name === topic);
    if (!t) throw new Failure(404, "not_found", `no topic named ${JSON.stringify(topic)} (defined: ${declared.map((x) => x.name).join(", ") || "none"})`);
    if (what !== "subscriptions" || kind !== "dead-letters" || sub == null) throw new Failure(404, "not_found", "not found");
    if (!t.subscriptions.some((s) => s.name === sub)) throw new Failure(404, "not_found", `topic ${JSON.stringify(topic)} has no subscription named ${JSON.stringify(sub)}`);
    if (parts.length === 4) {
      if (m !== "GET") throw methodNotAllowed(m, "GET");
      return json({ topic: t.name, subscription: sub, messages: await dead(t.name, sub) } satisfies AdminDeadLetterList);
    }
    if (parts.length === 6 && action === "redrive") {
      if (m !== "POST") throw methodNotAllowed(m, "POST");
      const list = JSON.parse(await n.infraDeadLetters(t.name, sub)) as NativeDeadLetter[];
      const found = list.find((d) => d.id === id);
      if (!found) throw new Failure(404, "not_found", `no dead letter ${JSON.stringify(id)} in ${t.name}/${sub}`);
      // Publish first, then remove: a failure in between leaves a duplicate, never a lost message.
      const messageId = await n.infraPublish(t.name, found.message);
      await n.infraTakeDeadLetter(t.name, sub, found.id);
      return json({ messageId } satisfies AdminRedrive);
    }
  } catch (e) {
    if (e instanceof Failure) throw e;
    const { message } = nativeCode(e);
    throw new Failure(503, "unavailable", message);
  }
  throw new Failure(404, "not_found", "not found");
}

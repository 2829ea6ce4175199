/**
 * Infrastructure in the app model: databases (+ migration folders), topics, subscriptions, cron jobs, secrets
 * and buckets; app-wide name uniqueness; usages attributed to the service whose folder holds them.
 */
import type { SqlQueryFacts } from "../sql-query.js";
import type { Bucket, CronJob, Database, Migration, Secret, Service, Topic } from "@reprise/protocol";
import { D } from "../diagnostics/catalogue.js";
import type { BucketDecl, DatabaseDecl, EndpointDecl, FileFacts, NamedRefDecl, TopicDecl } from "../facts.js";
import { basename, dirname, joinPath } from "../resolve.js";
import { type LinkContext, ZERO_RANGE } from "./context.js";
import type { LinkedEndpoints, SchemaSource } from "./endpoints.js";

interface Named<T> {
  decl: T & { name: string; nameRange: import("@reprise/protocol").Range };
  file: string;
}

/** Reports every declaration after the first with the same name; returns the first of each. */
function unique<T>(lc: LinkContext, items: Named<T>[], def: Parameters<LinkContext["report"]>[0], what: string, hint: string): Map<string, Named<T>> {
  const seen = new Map<string, Named<T>>();
  for (const it of items) {
    const prev = seen.get(it.decl.name);
    if (prev) {
      lc.report(def, it.file, it.decl.nameRange, `${what} '${it.decl.name}' is already defined; ${hint}`, {
        related: [{ location: { file: prev.file, range: prev.decl.nameRange }, message: "first defined here" }],
      });
    } else seen.set(it.decl.name, it);
  }
  return seen;
}

function collect<T>(files: FileFacts[], pick: (f: FileFacts) => T[]): Named<T & { name: string; nameRange: import("@reprise/protocol").Range }>[] {
  const out: Named<T & { name: string; nameRange: import("@reprise/protocol").Range }>[] = [];
  for (const f of files) {
    const list = pick(f);
    for (let i = 0; i < list.length; i++) out.push({ decl: list[i] as T & { name: string; nameRange: import("@reprise/protocol").Range }, file: f.path });
  }
  return out;
}

const BUCKET_OPS: Record<string, string> = {
  list: "ListObjects", exists: "GetObjectMetadata", attrs: "GetObjectMetadata", upload: "WriteObject", download: "ReadObjectContents",
  remove: "DeleteObject", signedUploadUrl: "SignedUploadUrl", signedDownloadUrl: "SignedDownloadUrl", publicUrl: "GetPublicUrl",
};

/** The operations each `bucket.ref<P>()` permission type grants (ReadWriter: all but public URLs). */
export const BUCKET_PERMISSIONS: Record<string, string[]> = {
  Lister: ["ListObjects"], Attrser: ["GetObjectMetadata"], Uploader: ["WriteObject"], Downloader: ["ReadObjectContents"],
  Remover: ["DeleteObject"], SignedUploader: ["SignedUploadUrl"], SignedDownloader: ["SignedDownloadUrl"], PublicUrler: ["GetPublicUrl"],
  ReadWriter: ["ListObjects", "GetObjectMetadata", "WriteObject", "ReadObjectContents", "DeleteObject", "SignedUploadUrl", "SignedDownloadUrl"],
};

function refOperations(types: string[] | null): string[] | null {
  if (!types || types.length === 0) return null;
  const out: string[] = [];
  for (const t of types) {
    const ops = BUCKET_PERMISSIONS[t];
    if (!ops) return null;
    for (const op of ops) if (!out.includes(op)) out.push(op);
  }
  return out;
}

export interface InfraResult {
  databases: Database[];
  /** Every SQL query on a known database, in file order (side structure: not part of the app model). */
  sqlQueries: SqlQuery[];
  topics: Topic[];
  cronJobs: CronJob[];
  buckets: Bucket[];
  secrets: Secret[];
}

export function linkInfra(lc: LinkContext, files: FileFacts[], services: Map<string, Service>, endpoints: LinkedEndpoints, schemas: SchemaSource): InfraResult {
  const svcOf = (file: string) => {
    const r = lc.serviceOf(file);
    return r ? services.get(r.name)! : null;
  };
  // Databases.
  const dbs = unique(lc, collect<DatabaseDecl>(files, (f) => f.databases), D.DuplicateDatabase, "Database", "use SQLDatabase.named(\"name\") to refer to an existing database.");
  const databases: Database[] = [];
  for (const { decl, file } of dbs.values()) {
    const svc = svcOf(file);
    if (svc && !svc.databases.includes(decl.name)) svc.databases.push(decl.name);
    databases.push({ name: decl.name, service: svc?.name ?? null, migrations: scanMigrations(lc, file, decl), location: decl.location });
  }
  // Topics.
  const tps = unique(lc, collect<TopicDecl>(files, (f) => f.topics), D.DuplicateTopic, "Topic", "topic names are unique in an app; export the topic and import it where needed.");
  const topics = new Map<TopicDecl, Topic>();
  for (const { decl, file } of tps.values()) {
    const schema = decl.messageType ? schemas.get(file, `topic:${decl.name}`, decl.messageType, "message").schema : null;
    const props = schema?.properties as Record<string, unknown> | undefined;
    if (decl.orderingAttribute !== null && decl.orderingRange && props && !(decl.orderingAttribute in props)) {
      lc.report(D.OrderingAttributeUnknown, file, decl.orderingRange, `orderingAttribute '${decl.orderingAttribute}' is not a field of the message type; name a top-level Attribute<...> field (${Object.keys(props).join(", ") || "the message has no fields"}).`);
    }
    topics.set(decl, { name: decl.name, service: svcOf(file)?.name ?? null, deliveryGuarantee: decl.deliveryGuarantee, orderingAttribute: decl.orderingAttribute, message: schema, publishers: [], subscriptions: [], location: decl.location });
  }
  const topicByName = new Map([...topics.values()].map((t) => [t.name, t]));
  // Subscriptions.
  for (const f of files) for (const s of f.subscriptions) {
    const svc = svcOf(f.path);
    const ref = s.topicIdent ? lc.resolveIdent(f.path, s.topicIdent, s.topicMember) : null;
    const td = ref && ref.kind === "topic" ? lc.decl<TopicDecl>(ref) : undefined;
    const topic = td ? topics.get(td) : undefined;
    if (!topic) {
      lc.report(D.SubscriptionUnknownTopic, f.path, s.topicRange, `Cannot resolve the topic of subscription '${s.name}': pass a topic created with new Topic(...), declared in this file or imported from another file of the app.`);
      continue;
    }
    // A subscription's folder is always a (weak) service root, so svc is set.
    if (!svc) continue;
    const dup = topic.subscriptions.find((x) => x.name === s.name);
    if (dup) {
      lc.report(D.DuplicateSubscription, f.path, s.nameRange, `Topic '${topic.name}' already has a subscription named '${s.name}'; subscription names are unique per topic.`, {
        related: [{ location: dup.location, message: "first defined here" }],
      });
      continue;
    }
    topic.subscriptions.push({ name: s.name, topic: topic.name, service: svc.name, ackDeadlineMs: s.ackDeadlineMs, messageRetentionMs: s.messageRetentionMs, maxConcurrency: s.maxConcurrency, retryPolicy: s.retryPolicy, location: s.location });
  }
  // Cron jobs.
  const crons = unique(lc, collect<import("../facts.js").CronDecl>(files, (f) => f.cronJobs), D.DuplicateCronJob, "Cron job", "cron job ids are unique in an app.");
  const cronJobs: CronJob[] = [];
  for (const { decl: c, file } of crons.values()) {
    let endpoint: CronJob["endpoint"] = null;
    if (c.endpointIdent && c.endpointRange) {
      const ref = lc.resolveIdent(file, c.endpointIdent, c.endpointMember);
      if (!ref) {
        lc.report(D.CronEndpointUnresolved, file, c.endpointRange, `Cannot resolve endpoint '${c.endpointMember ?? c.endpointIdent}' of cron job '${c.name}'; reference an api(...) endpoint declared in this file or imported from another file of the app.`);
      } else if (ref.kind !== "endpoint") {
        lc.report(D.CronEndpointNotApi, file, c.endpointRange, `'${c.endpointMember ?? c.endpointIdent}' is a ${ref.kind}, not an API endpoint; cron jobs call an api(...) endpoint.`);
      } else {
        const ed = lc.decl<EndpointDecl>(ref);
        const entry = ed ? endpoints.entryOf(ed, ref.file) : undefined;
        if (entry) {
          endpoint = { service: entry.service, name: ed!.name };
          if (ed!.hasRequest) lc.report(D.CronEndpointHasParams, file, c.endpointRange, `Endpoint '${ed!.name}' takes a request, but cron jobs call it without one; give it no parameters.`);
        }
      }
    }
    cronJobs.push({ name: c.name, title: c.title, every: c.every, schedule: c.schedule, endpoint, location: c.location });
  }
  // Secrets: shared by name; attributed to the declaring service.
  const secrets: Secret[] = [];
  const seenSecret = new Set<string>();
  for (const f of files) for (const s of f.secrets) {
    const svc = svcOf(f.path);
    if (!svc) {
      lc.report(D.SecretOutsideService, f.path, s.nameRange, `Secret '${s.name}' is declared outside any service; secrets must be loaded from a file inside a service folder.`);
      continue;
    }
    if (!svc.secrets.includes(s.name)) svc.secrets.push(s.name);
    const key = `${s.name}\u0000${svc.name}`;
    if (!seenSecret.has(key)) {
      seenSecret.add(key);
      secrets.push({ name: s.name, service: svc.name, location: s.location });
    }
  }
  // Buckets.
  const bks = unique(lc, collect<BucketDecl>(files, (f) => f.buckets), D.DuplicateBucket, "Bucket", "use Bucket.named(\"name\") to refer to an existing bucket.");
  const buckets: Bucket[] = [...bks.values()].map(({ decl, file }) => ({ name: decl.name, public: decl.public, versioned: decl.versioned, service: svcOf(file)?.name ?? null, location: decl.location }));
  // Named references.
  for (const f of files) for (const n of f.namedRefs) {
    const known = n.kind === "database" ? dbs.has(n.name) : bks.has(n.name);
    if (!known) {
      lc.report(n.kind === "database" ? D.UnknownDatabase : D.UnknownBucket, f.path, n.range, `No ${n.kind} named '${n.name}' is declared in this app; declare it with new ${n.kind === "database" ? "SQLDatabase" : "Bucket"}("${n.name}", ...) or fix the name.`);
    } else if (n.kind === "database") {
      const svc = svcOf(f.path);
      if (svc && !svc.databases.includes(n.name)) svc.databases.push(n.name);
    }
  }
  // Usages.
  const sqlQueries: SqlQuery[] = [];
  for (const f of files) for (const u of f.usages) {
    const ref = lc.resolveIdent(f.path, u.ident, u.nsMember);
    if (!ref) continue;
    let kind: string = ref.kind;
    let name: string | undefined;
    let bucket: BucketDecl | undefined;
    if (ref.kind === "namedRef") {
      const n = lc.decl<NamedRefDecl>(ref);
      if (!n) continue;
      kind = n.kind;
      name = n.name;
      if (n.kind === "bucket") bucket = bks.get(n.name)?.decl;
    } else if (ref.kind === "database" || ref.kind === "topic" || ref.kind === "bucket") {
      const d = lc.decl<{ name: string }>(ref);
      name = d?.name;
      if (ref.kind === "bucket") bucket = d as BucketDecl;
    }
    if (name === undefined) continue;
    const svc = svcOf(f.path);
    if (kind === "database") {
      if (u.sql) sqlQueries.push({ ...u.sql, database: name, file: f.path });
      if (u.form === "bare-call") {
        lc.report(D.DatabaseInvalidUse, f.path, u.range, `Database '${name}' cannot be called; use its methods, e.g. ${u.ident}.query\`...\` or ${u.ident}.exec\`...\`.`);
      } else if (!svc) {
        lc.report(D.DatabaseOutsideService, f.path, u.range, `Database '${name}' is used outside any service, so no service is granted access to it; move this code into a service folder.`);
      } else if (!svc.databases.includes(name)) svc.databases.push(name);
    } else if (kind === "topic") {
      if (u.member === "publish" || u.member === "ref") {
        if (u.member === "ref" && u.form === "call" && !u.hasTypeArgs) {
          lc.report(D.TopicRefNoType, f.path, u.range, `Write ${u.ident}.ref<Publisher>() so the permission is known.`);
          continue;
        }
        if (!svc) {
          lc.report(D.PublishOutsideService, f.path, u.range, `Topic '${name}' is published from outside any service; move the publishing code into a service folder.`);
          continue;
        }
        if (!svc.publishes.includes(name)) svc.publishes.push(name);
        svc.publishSites.push({ topic: name, location: { file: f.path, range: u.range } });
        const t = topicByName.get(name);
        if (t && !t.publishers.some((p) => p.service === svc.name)) t.publishers.push({ service: svc.name, location: { file: f.path, range: u.range } });
      } else if (u.form === "read" && u.member !== "name") {
        lc.report(D.InvalidTopicUse, f.path, u.range, `Topics are used through .publish(...) or .ref<Publisher>(); '${u.ident}.${u.member}' is not supported.`);
      }
    } else if (kind === "bucket") {
      const m = u.member;
      if (u.form !== "call" || !m) continue;
      if (m === "ref") {
        if (!u.hasTypeArgs) {
          lc.report(D.BucketRefNoType, f.path, u.range, `Write ${u.ident}.ref<Uploader>() (or another permission type) so the granted operations are known.`);
          continue;
        }
        const ops = refOperations(u.refTypes ?? null);
        const at = u.refTypeRange ?? u.range;
        if (!ops) {
          lc.report(D.BucketRefUnknownPermission, f.path, at, `Reprise cannot tell which operations this permission type grants; write it as an intersection of ${Object.keys(BUCKET_PERMISSIONS).join(", ")} (e.g. Uploader & Downloader).`);
          continue;
        }
        if (ops.includes("GetPublicUrl") && bucket && !bucket.public) {
          lc.report(D.PublicUrlOnPrivate, f.path, at, `Bucket '${name}' is not public, so it has no public URLs; declare it with { public: true } or drop PublicUrler.`);
          continue;
        }
        if (!svc) {
          lc.report(D.BucketOutsideService, f.path, u.range, `Bucket '${name}' is used outside any service; move this code into a service folder.`);
          continue;
        }
        let entry = svc.buckets.find((b) => b.bucket === name);
        if (!entry) svc.buckets.push((entry = { bucket: name, operations: [] }));
        for (const op of ops) if (!entry.operations.includes(op)) entry.operations.push(op);
        continue;
      }
      const op = BUCKET_OPS[m];
      if (!op) {
        lc.report(D.UnknownBucketMethod, f.path, u.range, `'${m}' is not a bucket operation; use ${Object.keys(BUCKET_OPS).join(", ")} or ref.`);
        continue;
      }
      if (m === "publicUrl" && bucket && !bucket.public) {
        lc.report(D.PublicUrlOnPrivate, f.path, u.range, `Bucket '${name}' is not public, so it has no public URLs; declare it with { public: true } or use signedDownloadUrl.`);
        continue;
      }
      if (!svc) {
        lc.report(D.BucketOutsideService, f.path, u.range, `Bucket '${name}' is used outside any service; move this code into a service folder.`);
        continue;
      }
      let entry = svc.buckets.find((b) => b.bucket === name);
      if (!entry) svc.buckets.push((entry = { bucket: name, operations: [] }));
      if (!entry.operations.includes(op)) entry.operations.push(op);
    }
  }
  return { databases, sqlQueries, topics: [...topics.values()], cronJobs, buckets, secrets };
}

const MIGRATION_RE = { default: /^(\d+)_([^.]+)\.(up|down)\.sql$/, drizzle: /^(\d+)_([^.]+)\.sql$/ };
const MIGRATION_DIR_RE = { prisma: /^(\d+)_(.*)$/, "drizzle/v1": /^(\d+)_(.+)$/ };

function scanMigrations(lc: LinkContext, file: string, decl: DatabaseDecl): Database["migrations"] {
  const m = decl.migrations;
  if (!m) return { dir: null, files: [] };
  const dir = joinPath(dirname(file), m.path);
  if (dir === null || m.path.startsWith("/")) {
    lc.report(D.StaticPathOutside, file, m.range, `'migrations' must be a relative folder inside the app (no absolute path, no '..' above the app root): '${m.path}'.`);
    return { dir: null, files: [] };
  }
  const prefix = dir === "" ? "" : dir + "/";
  const children = new Map<string, boolean>(); // name → isDir
  const subFiles = new Map<string, Set<string>>();
  for (const p of lc.paths) {
    if (!p.startsWith(prefix)) continue;
    const rest = p.slice(prefix.length);
    const slash = rest.indexOf("/");
    if (slash < 0) children.set(rest, false);
    else {
      const sub = rest.slice(0, slash);
      children.set(sub, true);
      if (!subFiles.has(sub)) subFiles.set(sub, new Set());
      subFiles.get(sub)!.add(rest.slice(slash + 1));
    }
  }
  if (children.size === 0) {
    if (lc.paths.has(dir)) lc.report(D.MigrationsPathIsFile, file, m.range, `'${m.path}' is a file; 'migrations' must name a folder of migration files.`);
    else lc.report(D.MigrationsDirMissing, file, m.range, `The migrations folder '${dir}' does not exist; create it (with e.g. 1_create_tables.up.sql) or fix the path (relative to ${file}).`, {
      fixes: [{ title: `Create ${dir}/1_init.up.sql`, isPreferred: true, edits: [{ file: `${dir === "" ? "" : dir + "/"}1_init.up.sql`, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: "-- The first migration: create your tables here.\n", create: true }] }],
    });
    return { dir, files: [] };
  }
  const found: Migration[] = [];
  const related = [{ location: { file, range: m.range }, message: `migrations of database '${decl.name}'` }];
  if (m.source === "default" || m.source === "drizzle") {
    const re = MIGRATION_RE[m.source];
    for (const [name, isDir] of [...children].sort()) {
      if (isDir || !name.endsWith(".sql")) continue;
      const mm = re.exec(name);
      const path = prefix + name;
      if (!mm) {
        lc.report(D.MigrationFileName, path, ZERO_RANGE, `Invalid migration file name '${name}': name it <number>_<description>${m.source === "default" ? ".up.sql (or .down.sql)" : ".sql"}, e.g. 1_create_users${m.source === "default" ? ".up" : ""}.sql.`, { related });
        continue;
      }
      if (m.source === "default" && mm[3] === "down") continue;
      found.push({ file: path, number: Number(mm[1]), name: mm[2] });
    }
  } else {
    const re = MIGRATION_DIR_RE[m.source];
    for (const [name, isDir] of [...children].sort()) {
      if (!isDir || (m.source === "drizzle/v1" && name === "meta")) continue;
      const mm = re.exec(name);
      if (!mm) {
        const first = [...subFiles.get(name)!][0];
        lc.report(D.MigrationDirName, `${prefix}${name}/${first}`, ZERO_RANGE, `Invalid migration folder name '${name}': name it <number>_<description>, e.g. 1_init.`, { related });
        continue;
      }
      if (subFiles.get(name)!.has("migration.sql")) found.push({ file: `${prefix}${name}/migration.sql`, number: Number(mm[1]), name: mm[2] });
    }
  }
  found.sort((a, b) => a.number - b.number || (a.file < b.file ? -1 : 1));
  if (m.source === "default" || m.source === "drizzle") {
    for (let i = 1; i < found.length; i++) {
      const a = found[i - 1];
      const b = found[i];
      if (a.number === b.number) {
        lc.report(D.DuplicateMigrationNumber, b.file, ZERO_RANGE, `Migration number ${b.number} is used by both '${basename(a.file)}' and '${basename(b.file)}'; renumber one so the order is defined.`, { related: [{ location: { file: a.file, range: ZERO_RANGE }, message: "the other migration" }] });
      } else if (b.number !== a.number + 1) {
        lc.report(D.MigrationGap, b.file, ZERO_RANGE, `Migration numbers jump from ${a.number} to ${b.number}; number migrations sequentially.`, { related: [{ location: { file: a.file, range: ZERO_RANGE }, message: "the previous migration" }] });
      }
    }
  }
  return { dir, files: found };
}

/** A query bound to its database: what @reprise/sqlcheck describes. */
export interface SqlQuery extends SqlQueryFacts {
  database: string;
  file: string;
}

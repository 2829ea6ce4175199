/**
 * The data views of the Reprise activity-bar container, read from the running app's admin routes:
 * Databases (database → table → column), Migrations (database → migration with its state), Buckets (bucket →
 * folders by "/" → objects) and Pub/Sub (topic → subscription → dead letters). Each view loads lazily when
 * expanded, refreshes when the app starts or stops (and from its title button), and shows what went wrong as a
 * row instead of an empty tree. When no app runs, the views' welcome text offers ▶ Run.
 */
import * as vscode from "vscode";
import {
  BUCKETS_PATH,
  DATABASES_PATH,
  TOPICS_PATH,
  bucketObjectsPath,
  dbMigrationsPath,
  dbSchemaPath,
  deadLettersPath,
  type AdminBucketList,
  type AdminDatabaseList,
  type AdminDbColumn,
  type AdminDbSchema,
  type AdminDbTable,
  type AdminDeadLetter,
  type AdminDeadLetterList,
  type AdminMigration,
  type AdminMigrationStatus,
  type AdminObjectEntry,
  type AdminObjectList,
  type AdminTopicList,
} from "@reprise/protocol";
import { adminJson } from "./admin-http";
import { appTarget, callAdmin, type DataDeps } from "./app-target";

export type DataNode =
  | { kind: "message"; text: string; error: boolean }
  | { kind: "database"; view: "databases" | "migrations"; name: string; engine: string }
  | { kind: "table"; database: string; table: AdminDbTable }
  | { kind: "column"; database: string; table: string; column: AdminDbColumn }
  | { kind: "migration"; database: string; migration: AdminMigration }
  | { kind: "bucket"; name: string; public: boolean }
  | { kind: "folder"; bucket: string; prefix: string }
  | { kind: "object"; bucket: string; object: AdminObjectEntry }
  | { kind: "more"; bucket: string; prefix: string; shown: number }
  | { kind: "topic"; name: string; subscriptions: { name: string; service: string | null; deadLetters: number }[] }
  | { kind: "subscription"; topic: string; name: string; service: string | null; deadLetters: number }
  | { kind: "deadLetter"; topic: string; subscription: string; letter: AdminDeadLetter };

export type DataViewId = "reprise.databases" | "reprise.migrations" | "reprise.buckets" | "reprise.pubsub";

/** Objects listed per bucket folder before a "more" row (the admin route pages by 1000). */
const OBJECT_PAGE = 1000;
const OBJECT_PAGES_MAX = 5;
const MODEL_REFRESH_DELAY_MS = 2500;

async function get<T>(deps: DataDeps, path: string): Promise<{ ok: true; value: T } | { ok: false; node: DataNode }> {
  const r = adminJson<T>(await callAdmin(deps, "GET", path));
  return r.ok ? r : { ok: false, node: { kind: "message", text: r.message, error: true } };
}

export class DataTreeProvider implements vscode.TreeDataProvider<DataNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<DataNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subs: vscode.Disposable[] = [];
  /** Objects shown per bucket folder (grows with "more"). */
  private readonly objectLimit = new Map<string, number>();

  private modelTimer: NodeJS.Timeout | undefined;

  constructor(readonly view: DataViewId, private readonly deps: DataDeps) {
    this.subs.push(
      deps.runner.onDidChange(() => this.refresh()),
      // A changed app model usually means `reprise run --watch` is reloading the app with new resources; its admin
      // routes answer for the new build a moment later, so the view reloads after a pause (and on its refresh button).
      deps.models.onDidChange(() => {
        clearTimeout(this.modelTimer);
        this.modelTimer = setTimeout(() => this.refresh(), MODEL_REFRESH_DELAY_MS);
      }),
    );
  }

  refresh(node?: DataNode): void {
    this.changed.fire(node);
  }

  showMore(node: Extract<DataNode, { kind: "more" }>): void {
    this.objectLimit.set(`${node.bucket}\0${node.prefix}`, node.shown + OBJECT_PAGE);
    this.refresh();
  }

  async getChildren(node?: DataNode): Promise<DataNode[]> {
    if (!node) {
      if (!appTarget(this.deps).running && this.deps.runner.list().length === 0) {
        // No app known to run: the welcome text (viewsWelcome) shows. An app started in a terminal still answers.
        const probe = await callAdmin(this.deps, "GET", this.view === "reprise.buckets" ? BUCKETS_PATH : this.view === "reprise.pubsub" ? TOPICS_PATH : DATABASES_PATH);
        if (probe.error) return [];
      }
      return this.roots();
    }
    switch (node.kind) {
      case "database":
        return node.view === "databases" ? this.tables(node.name) : this.migrations(node.name);
      case "table":
        return node.table.columns.map((column) => ({ kind: "column", database: node.database, table: node.table.name, column }));
      case "bucket":
        return this.objects(node.name, "");
      case "folder":
        return this.objects(node.bucket, node.prefix);
      case "topic":
        return node.subscriptions.map((s) => ({ kind: "subscription", topic: node.name, ...s }));
      case "subscription":
        return this.deadLetters(node.topic, node.name);
      default:
        return [];
    }
  }

  private async roots(): Promise<DataNode[]> {
    switch (this.view) {
      case "reprise.databases":
      case "reprise.migrations": {
        const r = await get<AdminDatabaseList>(this.deps, DATABASES_PATH);
        if (!r.ok) return [r.node];
        if (!r.value.databases.length) return [{ kind: "message", text: "The app declares no database.", error: false }];
        const view = this.view === "reprise.databases" ? "databases" : "migrations";
        return r.value.databases.map((d) => ({ kind: "database", view, name: d.name, engine: d.engine }));
      }
      case "reprise.buckets": {
        const r = await get<AdminBucketList>(this.deps, BUCKETS_PATH);
        if (!r.ok) return [r.node];
        if (!r.value.buckets.length) return [{ kind: "message", text: "The app declares no bucket.", error: false }];
        return r.value.buckets.map((b) => ({ kind: "bucket", name: b.name, public: b.public }));
      }
      case "reprise.pubsub": {
        const r = await get<AdminTopicList>(this.deps, TOPICS_PATH);
        if (!r.ok) return [r.node];
        if (!r.value.topics.length) return [{ kind: "message", text: "The app declares no topic.", error: false }];
        return r.value.topics.map((t) => ({ kind: "topic", name: t.name, subscriptions: t.subscriptions }));
      }
    }
  }

  private async tables(database: string): Promise<DataNode[]> {
    const r = await get<AdminDbSchema>(this.deps, dbSchemaPath(database));
    if (!r.ok) return [r.node];
    if (!r.value.tables.length) return [{ kind: "message", text: "No tables (no migration applied yet?)", error: false }];
    return r.value.tables.map((table) => ({ kind: "table", database, table }));
  }

  private async migrations(database: string): Promise<DataNode[]> {
    const r = await get<AdminMigrationStatus>(this.deps, dbMigrationsPath(database));
    if (!r.ok) return [r.node];
    if (!r.value.migrations.length) return [{ kind: "message", text: r.value.migrationsDir ? `No migrations in ${r.value.migrationsDir}` : "No migrations folder", error: false }];
    return r.value.migrations.map((migration) => ({ kind: "migration", database, migration }));
  }

  /** One level of a bucket: the folders (next "/" after the prefix) and the objects directly in it. */
  private async objects(bucket: string, prefix: string): Promise<DataNode[]> {
    const limit = this.objectLimit.get(`${bucket}\0${prefix}`) ?? OBJECT_PAGE;
    const all: AdminObjectEntry[] = [];
    let after: string | undefined;
    let more = false;
    for (let page = 0; page < OBJECT_PAGES_MAX * Math.ceil(limit / OBJECT_PAGE); page++) {
      const r = await get<AdminObjectList>(this.deps, bucketObjectsPath(bucket, { prefix, after, limit: OBJECT_PAGE }));
      if (!r.ok) return [r.node];
      all.push(...r.value.objects);
      if (!r.value.nextAfter) break;
      after = r.value.nextAfter;
      if (all.length >= limit) {
        more = true;
        break;
      }
    }
    const folders = new Set<string>();
    const here: DataNode[] = [];
    for (const o of all) {
      const rest = o.key.slice(prefix.length);
      const slash = rest.indexOf("/");
      if (slash >= 0) folders.add(prefix + rest.slice(0, slash + 1));
      else here.push({ kind: "object", bucket, object: o });
    }
    const out: DataNode[] = [...[...folders].map((p): DataNode => ({ kind: "folder", bucket, prefix: p })), ...here];
    if (more) out.push({ kind: "more", bucket, prefix, shown: all.length });
    if (!out.length) out.push({ kind: "message", text: prefix ? "Empty" : "No objects", error: false });
    return out;
  }

  private async deadLetters(topic: string, subscription: string): Promise<DataNode[]> {
    const r = await get<AdminDeadLetterList>(this.deps, deadLettersPath(topic, subscription));
    if (!r.ok) return [r.node];
    if (!r.value.messages.length) return [{ kind: "message", text: "No dead letters", error: false }];
    return r.value.messages.map((letter) => ({ kind: "deadLetter", topic, subscription, letter }));
  }

  getTreeItem(node: DataNode): vscode.TreeItem {
    const item = this.treeItem(node);
    // Stable ids keep expanded rows expanded (and reloaded) across refreshes.
    const id = nodeId(node);
    if (id) item.id = `${this.view}:${id}`;
    return item;
  }

  private treeItem(node: DataNode): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    switch (node.kind) {
      case "message": {
        const item = new vscode.TreeItem(node.text, C.None);
        item.iconPath = new vscode.ThemeIcon(node.error ? "error" : "info");
        item.tooltip = node.text;
        item.contextValue = "reprise.message";
        return item;
      }
      case "database": {
        const item = new vscode.TreeItem(node.name, C.Collapsed);
        item.iconPath = new vscode.ThemeIcon("database");
        item.description = node.engine;
        item.contextValue = node.view === "databases" ? "reprise.database" : "reprise.migrationsDb";
        return item;
      }
      case "table": {
        const t = node.table;
        const item = new vscode.TreeItem(t.schema === "public" ? t.name : `${t.schema}.${t.name}`, C.Collapsed);
        item.iconPath = new vscode.ThemeIcon(t.kind === "table" ? "table" : "eye");
        item.description = `${t.rowCountExact ? t.rowCount : `${t.rowCount}+`} row${t.rowCount === 1 && t.rowCountExact ? "" : "s"}${t.kind === "table" ? "" : ` · ${t.kind}`}`;
        item.tooltip = [`${t.kind} ${t.schema}.${t.name}`, ...t.indexes.map((i) => i.definition)].join("\n");
        item.contextValue = "reprise.dbTable";
        item.command = { command: "reprise.openTable", title: "Open Table", arguments: [node] };
        return item;
      }
      case "column": {
        const c = node.column;
        const item = new vscode.TreeItem(c.name, C.None);
        item.iconPath = new vscode.ThemeIcon(c.primaryKey ? "key" : "symbol-field");
        item.description = `${c.type}${c.nullable ? "" : " not null"}${c.default !== null ? ` = ${c.default}` : ""}`;
        item.contextValue = "reprise.dbColumn";
        return item;
      }
      case "migration": {
        const m = node.migration;
        const item = new vscode.TreeItem(`${m.number}_${m.name}`, C.None);
        item.iconPath = new vscode.ThemeIcon(m.state === "applied" ? "pass" : m.state === "failed" ? "error" : "circle-large-outline");
        item.description = m.state === "applied" ? `applied${m.appliedAt ? ` ${m.appliedAt.replace("T", " ").replace(/\.\d+/, "")}` : ""}` : m.state;
        item.tooltip = m.error ? `${m.state}: ${m.error}` : `${m.file ?? "(file missing)"} · ${m.state}`;
        item.contextValue = `reprise.migration.${m.state}`;
        return item;
      }
      case "bucket": {
        const item = new vscode.TreeItem(node.name, C.Collapsed);
        item.iconPath = new vscode.ThemeIcon("archive");
        item.description = node.public ? "public" : undefined;
        item.contextValue = "reprise.bucket";
        return item;
      }
      case "folder": {
        const name = node.prefix.slice(0, -1).split("/").pop() ?? node.prefix;
        const item = new vscode.TreeItem(`${name}/`, C.Collapsed);
        item.iconPath = vscode.ThemeIcon.Folder;
        item.tooltip = node.prefix;
        item.contextValue = "reprise.bucketFolder";
        return item;
      }
      case "object": {
        const o = node.object;
        const item = new vscode.TreeItem(o.key.split("/").pop() || o.key, C.None);
        item.iconPath = vscode.ThemeIcon.File;
        item.description = formatBytes(o.size);
        item.tooltip = `${o.key}\n${o.size} bytes · etag ${o.etag}`;
        item.contextValue = "reprise.bucketObject";
        item.command = { command: "reprise.previewObject", title: "Preview", arguments: [node] };
        return item;
      }
      case "more": {
        const item = new vscode.TreeItem(`Show more (${node.shown} shown)`, C.None);
        item.iconPath = new vscode.ThemeIcon("ellipsis");
        item.command = { command: "reprise.showMoreObjects", title: "Show more", arguments: [node] };
        return item;
      }
      case "topic": {
        const dead = node.subscriptions.reduce((n, s) => n + s.deadLetters, 0);
        const item = new vscode.TreeItem(node.name, node.subscriptions.length ? C.Collapsed : C.None);
        item.iconPath = new vscode.ThemeIcon("broadcast");
        item.description = `${node.subscriptions.length} subscription${node.subscriptions.length === 1 ? "" : "s"}${dead ? ` · ${dead} dead` : ""}`;
        item.contextValue = "reprise.pubsubTopic";
        return item;
      }
      case "subscription": {
        const item = new vscode.TreeItem(node.name, C.Collapsed);
        item.iconPath = new vscode.ThemeIcon(node.deadLetters ? "warning" : "mail");
        item.description = `${node.service ?? ""}${node.deadLetters ? ` · ${node.deadLetters} dead letter${node.deadLetters === 1 ? "" : "s"}` : ""}`.replace(/^ · /, "");
        item.contextValue = "reprise.subscription";
        return item;
      }
      case "deadLetter": {
        const l = node.letter;
        const item = new vscode.TreeItem(l.id, C.None);
        item.iconPath = new vscode.ThemeIcon("mail-read");
        item.description = `${l.attempts} attempt${l.attempts === 1 ? "" : "s"} · ${l.error}`;
        item.tooltip = new vscode.MarkdownString().appendText(`${l.error}\n\n`).appendCodeblock(JSON.stringify(l.message, null, 2).slice(0, 4000), "json");
        item.contextValue = "reprise.deadLetter";
        return item;
      }
    }
  }

  dispose(): void {
    clearTimeout(this.modelTimer);
    for (const s of this.subs.splice(0)) s.dispose();
    this.changed.dispose();
  }
}

/** A row's identity across refreshes (null for rows that are not containers or may repeat). */
function nodeId(node: DataNode): string | null {
  switch (node.kind) {
    case "database":
      return JSON.stringify(["db", node.name]);
    case "table":
      return JSON.stringify(["table", node.database, node.table.schema, node.table.name]);
    case "bucket":
      return JSON.stringify(["bucket", node.name]);
    case "folder":
      return JSON.stringify(["folder", node.bucket, node.prefix]);
    case "object":
      return JSON.stringify(["object", node.bucket, node.object.key]);
    case "topic":
      return JSON.stringify(["topic", node.name]);
    case "subscription":
      return JSON.stringify(["sub", node.topic, node.name]);
    default:
      return null;
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Commands of the data views: open a table or the SQL console, apply pending migrations, preview / download /
 * upload / delete bucket objects (deleting, replacing and applying ask first, modally), redrive a dead letter.
 * Each takes the tree node it is invoked on; the upload commands also take a file (a workspace file from the
 * Explorer's context menu, or one picked in a dialog).
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  DATABASES_PATH,
  BUCKETS_PATH,
  UPLOAD_MAX_BYTES,
  bucketObjectPath,
  dbMigrationsApplyPath,
  redrivePath,
  type AdminBucketList,
  type AdminDatabaseList,
  type AdminMigrationApply,
  type AdminObjectAttrs,
  type AdminRedrive,
} from "@reprise/protocol";
import { adminJson, safeFileName } from "./admin-http";
import { callAdmin, type DataDeps } from "./app-target";
import { DataPanel, saveAdminDownload } from "./data-panel";
import type { DataNode, DataTreeProvider } from "./trees";

type Node<K extends DataNode["kind"]> = Extract<DataNode, { kind: K }>;
const is = <K extends DataNode["kind"]>(arg: unknown, kind: K): arg is Node<K> => !!arg && typeof arg === "object" && (arg as { kind?: unknown }).kind === kind;

export interface DataCommandDeps extends DataDeps {
  trees: DataTreeProvider[];
}

export function dataCommands(deps: DataCommandDeps): Record<string, (...args: unknown[]) => unknown> {
  const refresh = () => deps.trees.forEach((t) => t.refresh());
  return {
    "reprise.refreshData": refresh,
    "reprise.openTable": (arg) => {
      if (!is(arg, "table")) return undefined;
      return DataPanel.show(deps, { page: "table", database: arg.database, schema: arg.table.schema, table: arg.table.name });
    },
    "reprise.openSqlConsole": async (arg) => {
      const database = is(arg, "database") ? arg.name : is(arg, "table") ? arg.database : await pickDatabase(deps);
      return database ? DataPanel.show(deps, { page: "sql", database }) : undefined;
    },
    "reprise.applyMigrations": async (arg) => {
      const database = is(arg, "database") ? arg.name : await pickDatabase(deps);
      if (!database) return undefined;
      const yes = "Apply";
      if ((await vscode.window.showWarningMessage(`Apply the pending migrations of ${database}?`, { modal: true, detail: "They run in order against the running app's database." }, yes)) !== yes) return undefined;
      const r = adminJson<AdminMigrationApply>(await callAdmin(deps, "POST", dbMigrationsApplyPath(database)));
      refresh();
      if (!r.ok) return void vscode.window.showErrorMessage(`Migrations of ${database}: ${r.message}`);
      const n = r.value.applied.length;
      const failed = r.value.status.migrations.find((m) => m.state === "failed");
      deps.log(`migrations of ${database}: applied ${n}${failed ? `; ${failed.number}_${failed.name} failed: ${failed.error}` : ""}`);
      if (failed) void vscode.window.showErrorMessage(`Migration ${failed.number}_${failed.name} of ${database} failed: ${failed.error ?? "unknown error"}`);
      else void vscode.window.showInformationMessage(n ? `Applied ${n} migration${n === 1 ? "" : "s"} to ${database}.` : `${database} had no pending migration.`);
      return r.value;
    },
    "reprise.previewObject": async (arg) => {
      if (!is(arg, "object")) return undefined;
      const r = await callAdmin(deps, "GET", bucketObjectPath(arg.bucket, arg.object.key));
      if (r.error || r.status !== 200) {
        const j = adminJson(r);
        return void vscode.window.showErrorMessage(`Preview of ${arg.object.key}: ${j.ok ? `status ${r.status}` : j.message}`);
      }
      // A private temp folder per bucket; the file name is made safe (keys may hold "..", "/" or control characters).
      const dir = path.join(os.tmpdir(), `reprise-objects-${process.pid}`, safeFileName(arg.bucket));
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      const file = path.join(dir, safeFileName(arg.object.key));
      await fs.writeFile(file, r.body);
      await vscode.commands.executeCommand("vscode.open", vscode.Uri.file(file), { preview: true, preserveFocus: false });
      return file;
    },
    "reprise.downloadObject": async (arg, to) => {
      if (!is(arg, "object")) return undefined;
      const r = await saveAdminDownload(deps, bucketObjectPath(arg.bucket, arg.object.key), arg.object.key, to instanceof vscode.Uri ? to : undefined);
      if (!r.ok && r.error !== "cancelled") void vscode.window.showErrorMessage(`Download of ${arg.object.key}: ${r.error}`);
      return r;
    },
    "reprise.deleteObject": async (arg) => {
      if (!is(arg, "object")) return undefined;
      const yes = "Delete";
      const pick = await vscode.window.showWarningMessage(`Delete ${arg.object.key} from bucket ${arg.bucket}?`, { modal: true, detail: "The object is removed from the running app's bucket; this cannot be undone." }, yes);
      if (pick !== yes) return false;
      const r = await callAdmin(deps, "DELETE", bucketObjectPath(arg.bucket, arg.object.key));
      refresh();
      if (r.status !== 204) {
        const j = adminJson(r);
        void vscode.window.showErrorMessage(`Delete of ${arg.object.key}: ${j.ok ? r.status : j.message}`);
        return false;
      }
      deps.log(`deleted ${arg.bucket}/${arg.object.key}`);
      return true;
    },
    /** From a bucket or folder row: pick a file. From the Explorer: the file (then pick the bucket). */
    "reprise.uploadObject": async (arg, fileArg) => {
      let bucket: string | undefined;
      let prefix = "";
      let file: vscode.Uri | undefined = fileArg instanceof vscode.Uri ? fileArg : undefined;
      if (is(arg, "bucket")) bucket = arg.name;
      else if (is(arg, "folder")) [bucket, prefix] = [arg.bucket, arg.prefix];
      else if (arg instanceof vscode.Uri) file = arg;
      bucket ??= await pickBucket(deps);
      if (!bucket) return undefined;
      file ??= (await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: `Upload to ${bucket}` }))?.[0];
      if (!file) return undefined;
      const key = await vscode.window.showInputBox({ title: `Upload to bucket ${bucket}`, prompt: "Object key", value: prefix + path.basename(file.fsPath), validateInput: (v) => (v ? null : "the key must not be empty") });
      if (!key) return undefined;
      const stat = await fs.stat(file.fsPath);
      if (stat.size > UPLOAD_MAX_BYTES) return void vscode.window.showErrorMessage(`${path.basename(file.fsPath)} is ${stat.size} bytes; the admin route takes at most ${UPLOAD_MAX_BYTES}.`);
      const bytes = await fs.readFile(file.fsPath);
      const type = contentTypeOf(file.fsPath);
      let r = await callAdmin(deps, "PUT", bucketObjectPath(bucket, key), bytes, type, { "if-none-match": "*" });
      if (r.status === 412) {
        const yes = "Replace";
        if ((await vscode.window.showWarningMessage(`${key} already exists in ${bucket}. Replace it?`, { modal: true }, yes)) !== yes) return undefined;
        r = await callAdmin(deps, "PUT", bucketObjectPath(bucket, key), bytes, type);
      }
      refresh();
      const j = adminJson<AdminObjectAttrs>(r);
      if (!j.ok) return void vscode.window.showErrorMessage(`Upload of ${key}: ${j.message}`);
      deps.log(`uploaded ${bucket}/${key} (${j.value.size} bytes)`);
      void vscode.window.showInformationMessage(`Uploaded ${key} to ${bucket} (${j.value.size} bytes).`);
      return j.value;
    },
    "reprise.redriveDeadLetter": async (arg) => {
      if (!is(arg, "deadLetter")) return undefined;
      const r = adminJson<AdminRedrive>(await callAdmin(deps, "POST", redrivePath(arg.topic, arg.subscription, arg.letter.id)));
      refresh();
      if (!r.ok) return void vscode.window.showErrorMessage(`Redrive of ${arg.letter.id}: ${r.message}`);
      deps.log(`redrove ${arg.topic}/${arg.subscription} dead letter ${arg.letter.id} as message ${r.value.messageId}`);
      void vscode.window.showInformationMessage(`Published again as message ${r.value.messageId}.`);
      return r.value;
    },
    "reprise.showMoreObjects": (arg) => {
      if (!is(arg, "more")) return;
      deps.trees.find((t) => t.view === "reprise.buckets")?.showMore(arg);
    },
  };
}

async function pickDatabase(deps: DataDeps): Promise<string | undefined> {
  const r = adminJson<AdminDatabaseList>(await callAdmin(deps, "GET", DATABASES_PATH));
  if (!r.ok) return void vscode.window.showErrorMessage(`Databases: ${r.message}`);
  const names = r.value.databases.map((d) => d.name);
  return names.length === 1 ? names[0] : vscode.window.showQuickPick(names, { title: "Database" });
}

async function pickBucket(deps: DataDeps): Promise<string | undefined> {
  const r = adminJson<AdminBucketList>(await callAdmin(deps, "GET", BUCKETS_PATH));
  if (!r.ok) return void vscode.window.showErrorMessage(`Buckets: ${r.message}`);
  if (!r.value.buckets.length) return void vscode.window.showErrorMessage("The running app has no bucket.");
  const names = r.value.buckets.map((b) => b.name);
  return names.length === 1 ? names[0] : vscode.window.showQuickPick(names, { title: "Upload to bucket" });
}

const TYPES: Record<string, string> = {
  ".txt": "text/plain", ".md": "text/markdown", ".json": "application/json", ".html": "text/html", ".css": "text/css", ".js": "text/javascript",
  ".csv": "text/csv", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".svg": "image/svg+xml", ".webp": "image/webp", ".pdf": "application/pdf",
};
export function contentTypeOf(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream";
}

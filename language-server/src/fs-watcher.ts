/**
 * File watching for clients that cannot watch files for us (no dynamic `workspace/didChangeWatchedFiles`
 * registration: Neovim 0.7, Helix, …). Watches every folder of the workspace except the analyzer's skipped and
 * hidden folders, one non-recursive fs.watch per folder (bounded), and turns bursts of raw events into LSP file
 * events after a short quiet period. Folders that appear are watched too; folders that go away are unwatched.
 */
import { readdirSync, statSync, watch, type FSWatcher } from "node:fs";
import * as path from "node:path";
import { FileChangeType, type FileEvent } from "vscode-languageserver/node";
import { URI } from "vscode-uri";
import { SKIPPED_DIRS } from "@reprise/analyzer/node";
import { APP_FILE_NAMES } from "./app-root.js";

const MAX_FOLDERS = 4000;
const QUIET_MS = 25;

export class FolderWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly pending = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private warned = false;

  constructor(
    private readonly onEvents: (events: FileEvent[]) => void,
    private readonly log: (message: string) => void,
  ) {}

  add(folder: string): void {
    this.watchTree(path.resolve(folder));
  }

  private watchTree(dir: string): void {
    if (this.watchers.has(dir)) return;
    if (this.watchers.size >= MAX_FOLDERS) {
      if (!this.warned) this.log(`file watching stopped at ${MAX_FOLDERS} folders; changes to closed files further in are not seen`);
      this.warned = true;
      return;
    }
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, { persistent: false }, (_type, name) => {
        if (name) this.queue(path.join(dir, name.toString()));
      });
    } catch {
      return;
    }
    watcher.on("error", () => this.unwatch(dir));
    this.watchers.set(dir, watcher);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory() && !SKIPPED_DIRS.has(e.name) && !e.name.startsWith(".")) this.watchTree(path.join(dir, e.name));
  }

  private unwatch(dir: string): void {
    for (const [d, w] of this.watchers) {
      if (d === dir || d.startsWith(dir + path.sep)) {
        w.close();
        this.watchers.delete(d);
      }
    }
  }

  private queue(abs: string): void {
    this.pending.add(abs);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), QUIET_MS);
  }

  private flush(): void {
    this.timer = undefined;
    const events: FileEvent[] = [];
    for (const abs of this.pending) {
      const uri = URI.file(abs).toString();
      let isDir = false;
      let exists = true;
      try {
        isDir = statSync(abs).isDirectory();
      } catch {
        exists = false;
      }
      if (!exists) {
        if (this.watchers.has(abs)) this.unwatch(abs);
        events.push({ uri, type: FileChangeType.Deleted });
      } else if (isDir) {
        const name = path.basename(abs);
        if (SKIPPED_DIRS.has(name) || name.startsWith(".")) continue;
        this.watchTree(abs);
        events.push({ uri, type: FileChangeType.Created });
      } else {
        // Created and Changed are handled alike, except that a new app file adds an app root.
        events.push({ uri, type: APP_FILE_NAMES.includes(path.basename(abs)) ? FileChangeType.Created : FileChangeType.Changed });
      }
    }
    this.pending.clear();
    if (events.length) this.onEvents(events);
  }

  get folderCount(): number {
    return this.watchers.size;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }
}

/**
 * What an app does not hand to the analyser: dependency, build-output and generated folders (SKIPPED_DIRS),
 * hidden folders, and what the app's .gitignore files ignore (those in the app and in its parent folders up to
 * the repository root, each relative to its own folder, with git's pattern syntax through the `ignore` package).
 * Files matched here are never read or parsed; the loader and the language server share one instance per root.
 *
 * The app root is what the user asked to analyse, so where it sits never hides it: a rule of a parent folder's
 * .gitignore that matches the root itself or a folder above it (`e2e-out/` for an app at `<repo>/e2e-out/app`,
 * `tmp/`, `*`) is left out, the way skipped and hidden folder names only count below the root. Git would ignore
 * the whole app there; applying that would analyse nothing and say so nowhere. The parent's other rules
 * (`*.gen.ts`, `/e2e-out/app/generated/`) still apply inside the app.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import ignore, { type Ignore } from "ignore";

/** Folders never handed to the analyser, wherever they are. */
export const SKIPPED_DIRS = new Set(["node_modules", ".git", "dist", "build", ".reprise", "encore.gen", "reprise.gen"]);

interface Scope {
  /** Folder of the .gitignore, relative to the app root ("" = the root; "../.." = a parent). */
  base: string;
  /** Root-relative prefix of the paths this scope sees ("" for the root and its parents). */
  prefix: string;
  /** What a parent scope prepends to root-relative paths ("" for the root and its subfolders). */
  above: string;
  rules: Ignore;
}

export class IgnoreRules {
  private scopes: Scope[] = [];

  private constructor(private readonly root: string) {}

  /** The rules of an app root: its parents' .gitignore files (up to the folder holding .git), then its own as found. */
  static forRoot(root: string): IgnoreRules {
    const r = new IgnoreRules(root);
    const parents: string[] = [];
    let dir = root;
    for (let i = 0; i < 32 && !existsSync(join(dir, ".git")); i++) {
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
      parents.push(dir);
    }
    for (const p of parents.reverse()) r.addGitignore(relative(root, p).split(sep).join("/"), join(p, ".gitignore"));
    return r;
  }

  /** Adds a folder's .gitignore (relDir relative to the root, "" for the root); a missing file adds nothing. */
  addGitignore(relDir: string, file: string): void {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      return;
    }
    this.scopes = this.scopes.filter((s) => s.base !== relDir);
    const up = relDir.startsWith("..");
    // For a parent folder, paths are the root's path relative to that folder, then the file's root-relative path.
    const above = up ? relative(join(this.root, relDir), this.root).split(sep).join("/") : "";
    const rules = ignore().add(up ? withoutRulesMatching(text, above + "/") : text);
    this.scopes.push({ base: relDir, prefix: up || relDir === "" ? "" : relDir + "/", above, rules });
  }

  /** Forgets a folder's .gitignore (it was deleted). */
  removeGitignore(relDir: string): void {
    this.scopes = this.scopes.filter((s) => s.base !== relDir);
  }

  /** Whether a root-relative "/" path is ignored (`isDir`: a folder). A path inside an ignored folder is ignored. */
  ignores(rel: string, isDir: boolean): boolean {
    const segs = rel.split("/");
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i];
      const folder = i < segs.length - 1 || isDir;
      if (folder && (SKIPPED_DIRS.has(seg) || seg.startsWith("."))) return true;
    }
    for (const s of this.scopes) {
      if (s.prefix && !rel.startsWith(s.prefix)) continue;
      const sub = (s.above ? s.above + "/" : "") + rel.slice(s.prefix.length);
      if (!sub) continue;
      try {
        // A trailing "/" marks a folder; a rule like `generated/` also ignores everything below it.
        if (s.rules.ignores(isDir ? sub + "/" : sub)) return true;
        const parts = sub.split("/");
        for (let k = 1; k < parts.length; k++) if (s.rules.ignores(parts.slice(0, k).join("/") + "/")) return true;
      } catch {
        // A path `ignore` rejects is outside this scope.
      }
    }
    return false;
  }
}

/**
 * The lines of a .gitignore without the rules that match `dir` (a folder path relative to the .gitignore's own
 * folder, ending in "/") or a folder above it. Negations, comments and the other rules stay, in order.
 */
export function withoutRulesMatching(text: string, dir: string): string {
  return text
    .split(/\r?\n/)
    .filter((line) => {
      if (line.startsWith("!") || line.startsWith("#") || !line.trim()) return true;
      try {
        return !ignore().add(line).ignores(dir);
      } catch {
        return true; // a path `ignore` rejects: ignores() skips this scope for it anyway
      }
    })
    .join("\n");
}

/**
 * The browser dashboard's folder for one `reprise run`: the built shell and data pages (`@reprise/webviews`'
 * dist/dashboard, written by its bundle script) copied to `<app>/.reprise/dashboard/`, plus this app's service
 * catalog (`reprise docs`' page as `catalog.html`), rewritten after each reload. The runtime serves the folder at
 * `/__reprise/` and `/__reprise/ui/<file>` (runtime/src/dashboard.rs); the page asks the admin API for everything
 * else with the run's token.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { AppModel } from "@reprise/protocol";
import { catalogFiles } from "../docs/catalog.js";

/** The built dashboard files, or null with the reason when they are missing (a build without the webviews). */
export function builtDashboard(): { dir: string } | { dir: null; reason: string } {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve("@reprise/webviews/package.json");
  } catch {
    return { dir: null, reason: "@reprise/webviews is not installed" };
  }
  const dir = join(dirname(pkg), "dist", "dashboard");
  return existsSync(join(dir, "index.html")) ? { dir } : { dir: null, reason: `${dir} is not built (npm run build)` };
}

/** Writes `<app>/.reprise/dashboard/` and returns its path. */
export function prepareDashboard(appRoot: string, model: AppModel, built: string): string {
  const dir = join(appRoot, ".reprise", "dashboard");
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(built)) copyFileSync(join(built, f), join(dir, f));
  writeCatalog(dir, model);
  return dir;
}

/** The catalog page for the current model (after a reload too). */
export function writeCatalog(dir: string, model: AppModel): void {
  const files = catalogFiles(model);
  writeFileSync(join(dir, "catalog.html"), files.get("index.html")!);
  writeFileSync(join(dir, "catalog.css"), files.get("catalog.css")!);
}

/** The address `reprise run` prints: the dashboard with this run's token (the page removes it from the address bar). */
export function dashboardUrl(baseUrl: string, token: string): string {
  return `${baseUrl}/__reprise/?token=${encodeURIComponent(token)}`;
}

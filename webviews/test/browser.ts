/**
 * Headless Chromium for the webview tests (mermaid needs a real DOM and layout engine). Files are served from a
 * fake origin through request interception, so nothing touches the network. `chromiumPath()` is null where
 * Debian's chromium is absent; tests then skip with that reason (npm test installs it with
 * scripts/ci-deps.d/chromium.sh when it can; scripts/test-deps.mjs looks for it the same way).
 */
import { existsSync, readFileSync } from "node:fs";
import { extname } from "node:path";
import type { Browser, Page } from "playwright-core";

export const ORIGIN = "http://reprise.test";

export function chromiumPath(): string | null {
  for (const p of [process.env.CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"]) if (p && existsSync(p)) return p;
  return null;
}

export const NO_CHROMIUM = "Chromium not found (set CHROMIUM, or install Debian's chromium: bash scripts/ci-deps.d/chromium.sh)";

export async function launch(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: chromiumPath()!,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking"],
  });
}

// charset matters: mermaid.min.js has non-ASCII regex literals that a Latin-1 decode silently breaks.
const TYPES: Record<string, string> = { ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".html": "text/html; charset=utf-8" };

/** Serves `files` (URL path → local file or literal text) at ORIGIN; everything else is aborted. */
export async function serve(page: Page, files: Record<string, { file?: string; text?: string }>): Promise<void> {
  await page.route("**/*", async (route) => {
    const url = new URL(route.request().url());
    const f = url.origin === ORIGIN ? files[url.pathname] : undefined;
    if (!f) return route.abort();
    const body = f.text ?? readFileSync(f.file!);
    await route.fulfill({ status: 200, contentType: TYPES[extname(url.pathname)] ?? "text/plain", body });
  });
}

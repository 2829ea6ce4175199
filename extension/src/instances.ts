/**
 * Finds the per-run token of a running app's tool routes (`/__reprise/*`: traces, cron and pub/sub admin), which
 * `reprise run` writes to `<app>/.reprise/instances/<port>.json` (contract: protocol/src/tool-routes.ts), so the
 * trace viewer, ▶ Run now and the API explorer's publish mode can send it. Read afresh for every request: a
 * restarted app has a new token. Pure Node, no VS Code API.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { instanceFilePath, parseInstanceRecord, toolAuthorization } from "@reprise/protocol";

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function isLoopbackHostname(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === "localhost" || h === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * The token of the app at `baseUrl`, from the first of `roots` (app root folders) with a live instance file for
 * its port; null when the URL is not on loopback (the token never leaves this machine) or none has one.
 */
export function toolToken(baseUrl: string, roots: readonly string[]): string | null {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return null;
  }
  if (!isLoopbackHostname(url.hostname)) return null;
  const port = Number(url.port || 80);
  for (const root of new Set(roots)) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(root, ...instanceFilePath(port).split("/")), "utf8");
    } catch {
      continue;
    }
    const record = parseInstanceRecord(text);
    if (record && record.port === port && pidAlive(record.pid)) return record.token;
  }
  return null;
}

/** `{ authorization: "Bearer …" }` for the app at `baseUrl`, or no headers when its token is not found. */
export function toolHeaders(baseUrl: string, roots: readonly string[]): Record<string, string> {
  const token = toolToken(baseUrl, roots);
  return token ? toolAuthorization(token) : {};
}

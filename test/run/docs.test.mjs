// `reprise docs --out DIR`: the service catalog as static HTML — every endpoint with its doc, fields by where they
// are read and an example; the app's text is escaped (a doc comment holding markup stays text), the page has a CSP
// that allows no script, usage errors exit 2.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root } from "../http/helpers.mjs";

const cli = join(root, "cli", "bin", "reprise.mjs");
const reprise = (args) =>
  new Promise((resolve) => execFile(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr })));

test("reprise docs writes an escaped static catalog with fields and examples", { timeout: 60_000 }, async (t) => {
  const base = mkdtempSync(join(tmpdir(), "reprise-docs-"));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const app = join(base, "app");
  mkdirSync(join(app, "users"), { recursive: true });
  writeFileSync(join(app, "reprise.app"), '{ "id": "docs-app" }');
  writeFileSync(join(app, "users", "reprise.service.ts"), 'import { Service } from "reprise/service";\nexport default new Service("users");\n');
  writeFileSync(
    join(app, "users", "users.ts"),
    `import { api } from "reprise/api";
import type { Header, Query } from "reprise/api";

interface GetReq { id: number; verbose?: Query<boolean>; trace: Header<"X-Trace"> }
interface User { id: number; name: string }

/** Reads one user. <script>alert("x")</script> & more */
export const get = api({ method: "GET", path: "/users/:id", expose: true }, async (req: GetReq): Promise<User> => ({ id: req.id, name: "a" }));

interface CreateReq { name: string; tags: string[] }
export const create = api({ method: "POST", path: "/users", expose: true, auth: false }, async (req: CreateReq): Promise<User> => ({ id: 1, name: req.name }));
`,
  );
  const out = join(base, "site");
  const r = await reprise(["docs", "--out", out, app]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /1 services, 2 endpoints/);
  const html = readFileSync(join(out, "index.html"), "utf8");
  assert.ok(readFileSync(join(out, "catalog.css"), "utf8").length > 100);
  assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'self'">`));
  assert.equal(/<script/i.test(html), false, "the doc comment's markup is text");
  assert.match(html, /Reads one user\. &#60;script&#62;alert\(&#34;x&#34;\)&#60;\/script&#62; &#38; more/);
  assert.match(html, /<code>\/users\/:id<\/code>/);
  assert.match(html, /<td><code>verbose<\/code><\/td><td>query<\/td>/);
  assert.match(html, /<td><code>X-Trace<\/code><\/td><td>header<\/td>/);
  assert.match(html, /<td><code>id<\/code><\/td><td>path<\/td>/);
  assert.match(html, /curl -X POST &#39;http:\/\/localhost:4000\/users&#39;/);
  assert.match(html, /-d &#39;\{&#34;name&#34;:&#34;string&#34;,&#34;tags&#34;:\[&#34;string&#34;\]\}&#39;/);
  assert.match(html, /id="users--get"/);

  assert.equal((await reprise(["docs", app])).code, 2, "--out is required");
  assert.equal((await reprise(["docs", "--out", out, "--nope"])).code, 2);
  assert.equal((await reprise(["docs", "--out", out, join(base, "nowhere")])).code, 2);
});

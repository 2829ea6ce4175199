// The extension host's admin calls for the data views and pages (extension/src/data/admin-http.ts), against a real
// HTTP server: only /__reprise/admin/ paths on the app's own origin are sent (page messages are untrusted), the
// token header and bodies (binary too) go through unchanged, errors come back as displayable text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { root } from "../http/helpers.mjs";

const { adminUrl, adminHttp, adminJson, safeFileName } = createRequire(import.meta.url)(join(root, "extension", "dist", "tsc", "src", "data", "admin-http.js"));

async function withServer(handler, fn) {
  const seen = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks) });
      handler(req, res, Buffer.concat(chunks));
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  try {
    return await fn(`http://127.0.0.1:${server.address().port}`, seen);
  } finally {
    await new Promise((r) => server.close(r));
  }
}

test("adminUrl: only admin paths on the app's origin", () => {
  const base = "http://127.0.0.1:4000";
  assert.equal(adminUrl(base, "/__reprise/admin/databases").toString(), "http://127.0.0.1:4000/__reprise/admin/databases");
  for (const bad of ["/users", "//evil.example/__reprise/admin/x", "http://evil.example/__reprise/admin/x", "/__reprise/admin/../../users", "/__reprise/adminx", "/__reprise/traces", 42]) {
    assert.equal(typeof adminUrl(base, bad), "string", `refused: ${bad}`);
  }
  assert.equal(adminUrl(base, "/__reprise/admin/buckets/b/object?key=..%2F..%2Fetc").pathname, "/__reprise/admin/buckets/b/object", "an encoded key stays in the query");
});

test("adminHttp: sends method, token and body; returns status, type and bytes unchanged", async () => {
  const bytes = Buffer.from([0, 255, 1, 254, 10, 13]);
  await withServer((req, res, body) => {
    if (req.method === "PUT") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ key: "k", size: body.length, etag: "e", contentType: req.headers["content-type"], version: null }));
    } else {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-disposition": 'attachment; filename="k"' });
      res.end(bytes);
    }
  }, async (base, seen) => {
    const put = await adminHttp(base, "PUT", "/__reprise/admin/buckets/b/object?key=a%2Fb", { authorization: "Bearer t0k" }, bytes, "image/png");
    assert.equal(put.status, 200);
    assert.deepEqual(adminJson(put), { ok: true, value: { key: "k", size: 6, etag: "e", contentType: "image/png", version: null } });
    assert.equal(seen[0].headers.authorization, "Bearer t0k");
    assert.deepEqual(seen[0].body, bytes);
    assert.equal(seen[0].url, "/__reprise/admin/buckets/b/object?key=a%2Fb");
    const get = await adminHttp(base, "GET", "/__reprise/admin/buckets/b/object?key=k", {});
    assert.deepEqual(get.body, bytes);
    assert.equal(get.headers["content-disposition"], 'attachment; filename="k"');
    const refused = await adminHttp(base, "GET", "/users/1", { authorization: "Bearer t0k" });
    assert.equal(refused.status, 0);
    assert.match(refused.error, /not an admin route/);
    assert.equal(seen.length, 2, "a refused path is never sent");
    const badMethod = await adminHttp(base, "PATCH", "/__reprise/admin/databases", {});
    assert.match(badMethod.error, /method not allowed/);
  });
});

test("adminJson: the runtime's AdminError, a 404 from an older runtime, non-JSON, no answer", async () => {
  await withServer((req, res) => {
    if (req.url.includes("sqlerr")) {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: "invalid_argument", message: "syntax error", details: { sqlState: "42601", position: 3 } }));
    } else if (req.url.includes("html")) {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>");
    } else {
      res.writeHead(404);
      res.end("Not Found");
    }
  }, async (base) => {
    const e = adminJson(await adminHttp(base, "POST", "/__reprise/admin/databases/d/sqlerr", {}, "{}", "application/json"));
    assert.deepEqual(e, { ok: false, code: "invalid_argument", message: "400 invalid_argument: syntax error", details: { sqlState: "42601", position: 3 } });
    const old = adminJson(await adminHttp(base, "GET", "/__reprise/admin/databases", {}));
    assert.equal(old.ok, false);
    assert.match(old.message, /^404 \(this runtime has no data admin routes yet/);
    assert.match(adminJson(await adminHttp(base, "GET", "/__reprise/admin/html", {})).message, /not JSON/);
  });
  const down = await adminHttp("http://127.0.0.1:1", "GET", "/__reprise/admin/databases", {}, undefined, undefined, 3000);
  assert.equal(down.status, 0);
  assert.ok(down.error);
  assert.equal(adminJson(down).code, "unavailable");
});

test("safeFileName: hostile object keys become plain file names", () => {
  assert.equal(safeFileName("a/b/report.pdf"), "report.pdf");
  assert.equal(safeFileName("../../etc/passwd"), "passwd");
  assert.equal(safeFileName(".."), "_");
  assert.equal(safeFileName("dir/"), "dir");
  assert.equal(safeFileName("a\u0000b<c>:d|e?.txt"), "a_b_c__d_e_.txt");
  assert.equal(safeFileName("..."), "_");
  assert.equal(safeFileName(""), "object");
  assert.equal(safeFileName("x".repeat(500)).length, 120);
});

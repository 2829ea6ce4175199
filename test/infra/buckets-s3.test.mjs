// The S3-compatible bucket provider under a real `reprise run`: the app in fixtures/s3-app uses `Bucket` through
// the SDK, and a runtime config file (`--config`, credentials through `$env:` references) puts its buckets on a
// moto S3 server on loopback. Objects are read back from the S3 server directly, so they are known to live there
// and not on the filesystem. Needs moto (scripts/ci-deps.d/s3.sh); skipped without it, except under CI=true.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root, startApp, json } from "../http/helpers.mjs";
import { startMoto, motoServerPath } from "./fixtures/services.mjs";
import { notInstalled } from "../../scripts/test-deps.mjs";

test("reprise run with buckets on S3: upload, download, list, remove, signed URLs, typed errors", { timeout: 180_000 }, async (t) => {
  const moto = await startMoto(["app-documents"]);
  if (!moto) return t.skip(`${notInstalled("moto")}: no ${motoServerPath()}`);
  t.after(() => moto.stop());
  const work = mkdtempSync(join(tmpdir(), "reprise-s3-"));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const appDir = join(work, "app");
  cpSync(join(root, "test", "infra", "fixtures", "s3-app"), appDir, { recursive: true });
  const configFile = join(work, "s3.config.json");
  writeFileSync(
    configFile,
    JSON.stringify({
      buckets: {
        provider: "s3",
        endpoint: moto.endpoint,
        region: "us-east-1",
        allowHttp: true,
        bucketPrefix: "app-",
        accessKeyId: "$env:TEST_S3_KEY",
        secretAccessKey: "$env:TEST_S3_SECRET",
      },
    }),
  );
  const app = await startApp(t, appDir, { args: ["--config", configFile], env: { TEST_S3_KEY: "AKIDEXAMPLE", TEST_S3_SECRET: "not-checked-by-moto" }, timeoutMs: 90_000 });
  const call = async (method, path, body) => {
    const res = await fetch(`${app.url}${path}`, { method, headers: body ? { "content-type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, body: await json(res) };
  };
  /** The object as the S3 server holds it, read without the provider (moto checks no signature, only that one is there). */
  const onS3 = (key) =>
    fetch(`${moto.endpoint}/app-documents/${key.split("/").map(encodeURIComponent).join("/")}`, {
      headers: { authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0" },
    });

  await t.test("upload and download go to the S3 bucket named with the prefix", async () => {
    const put = await call("POST", "/files", { key: "notes/2026/a.txt", text: "alpha", contentType: "text/plain" });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual({ name: put.body.name, size: put.body.size }, { name: "notes/2026/a.txt", size: 5 });
    assert.ok(put.body.etag.length > 0);
    const raw = await onS3("notes/2026/a.txt");
    assert.equal(raw.status, 200);
    assert.equal(await raw.text(), "alpha");
    assert.equal(raw.headers.get("content-type"), "text/plain");
    assert.equal(existsSync(join(appDir, ".reprise", "buckets", "documents")), false, "nothing on the filesystem");

    const got = await call("GET", `/file?key=${encodeURIComponent("notes/2026/a.txt")}`);
    assert.deepEqual(got, { status: 200, body: { text: "alpha", size: 5, contentType: "text/plain" } });
    assert.deepEqual((await call("GET", "/exists?key=notes/2026/a.txt")).body, { exists: true });
    assert.deepEqual((await call("GET", "/exists?key=notes/none.txt")).body, { exists: false });
  });

  await t.test("list by prefix, and the notExists precondition", async () => {
    await call("POST", "/files", { key: "notes/2026/b.txt", text: "beta" });
    await call("POST", "/files", { key: "notes/2027/c.txt", text: "gamma" });
    await call("POST", "/files", { key: "other.txt", text: "x" });
    assert.deepEqual((await call("GET", "/files")).body.names, ["notes/2026/a.txt", "notes/2026/b.txt", "notes/2027/c.txt", "other.txt"]);
    assert.deepEqual((await call("GET", "/files?prefix=notes/2026/")).body.names, ["notes/2026/a.txt", "notes/2026/b.txt"]);
    assert.deepEqual((await call("GET", "/files?prefix=notes/202")).body.names, ["notes/2026/a.txt", "notes/2026/b.txt", "notes/2027/c.txt"]);
    const again = await call("POST", "/files", { key: "other.txt", text: "y", onlyIfNew: true });
    assert.equal(again.status, 409, JSON.stringify(again.body));
    assert.match(again.body.message, /^PreconditionFailed: /);
    assert.equal(await (await onS3("other.txt")).text(), "x", "not overwritten");
  });

  await t.test("signed URLs: a client with only the URL uploads and downloads over HTTP", async () => {
    const up = await call("POST", "/files/signed", { key: "inbox/report 1.csv", upload: true });
    assert.equal(up.status, 200);
    assert.ok(up.body.url.startsWith(`${moto.endpoint}/app-documents/inbox/report%201.csv?`), up.body.url);
    assert.match(up.body.url, /X-Amz-Signature=[0-9a-f]{64}/);
    const put = await fetch(up.body.url, { method: "PUT", body: "a,b\n1,2\n" });
    assert.equal(put.status, 200, await put.text());
    assert.deepEqual((await call("GET", `/file?key=${encodeURIComponent("inbox/report 1.csv")}`)).body.text, "a,b\n1,2\n");

    const down = await call("POST", "/files/signed", { key: "notes/2026/b.txt", upload: false });
    const res = await fetch(down.body.url);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "beta");
  });

  await t.test("remove, then missing objects are the SDK's ObjectNotFound", async () => {
    assert.deepEqual(await call("POST", "/files/remove", { key: "notes/2026/a.txt" }), { status: 200, body: { removed: "notes/2026/a.txt" } });
    assert.equal((await onS3("notes/2026/a.txt")).status, 404, "gone from the S3 server");
    for (const [method, path, body] of [
      ["GET", "/file?key=notes/2026/a.txt"],
      ["POST", "/files/remove", { key: "notes/2026/a.txt" }],
    ]) {
      const r = await call(method, path, body);
      assert.equal(r.status, 404, `${method} ${path}`);
      assert.equal(r.body.code, "not_found");
      assert.match(r.body.message, /^NotFound: object "notes\/2026\/a\.txt" not found in bucket `documents`/);
    }
  });

  await t.test("keys that escape the bucket are rejected before any request", async () => {
    for (const key of ["../app-other/x", "notes/../../x", "/etc/passwd"]) {
      const r = await call("POST", "/files", { key, text: "x" });
      assert.equal(r.status, 400, key);
      assert.match(r.body.message, /^InvalidKey: invalid object key/);
    }
    assert.equal((await call("GET", `/file?key=${encodeURIComponent("../app-documents/other.txt")}`)).status, 400);
    assert.deepEqual((await call("GET", "/files")).body.names, ["inbox/report 1.csv", "notes/2026/b.txt", "notes/2027/c.txt", "other.txt"]);
  });

  await t.test("a bucket missing on the S3 server is NoSuchBucket, naming the S3 bucket", async () => {
    const r = await call("POST", "/archive", { key: "a.txt", text: "x" });
    assert.equal(r.status, 503, JSON.stringify(r.body));
    assert.match(r.body.message, /^NoSuchBucket: bucket `archive`: the S3 bucket "app-archive" does not exist/);
  });
});

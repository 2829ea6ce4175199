// OTLP export from a running app: a real `reprise run` of examples/hello exporting to an OTLP/HTTP receiver
// written here (loopback). The receiver keeps the protobuf bodies; the test looks for the HTTP span's attributes
// in their wire form (KeyValue{key, value: AnyValue{string_value}}), which a wrong or empty route cannot match.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startApp } from "../http/helpers.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const nativeAddon = join(root, "runtime", "sdk", "native", `reprise.${process.platform}-${process.arch}${process.platform === "linux" ? "-gnu" : ""}.node`);
const skip = existsSync(nativeAddon) ? false : "the runtime's native addon is not built";

/** A string attribute as protobuf bytes: KeyValue.key (field 1), KeyValue.value (field 2) = AnyValue.string_value (field 1). */
function stringAttribute(key, value) {
  const k = Buffer.from(key);
  const v = Buffer.from(value);
  const any = Buffer.concat([Buffer.from([0x0a, v.length]), v]);
  return Buffer.concat([Buffer.from([0x0a, k.length]), k, Buffer.from([0x12, any.length]), any]);
}

test("the OTLP export carries the matched route as http.route", { skip }, async (t) => {
  const bodies = [];
  const receiver = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      if (req.url === "/v1/traces" && req.headers["content-type"] === "application/x-protobuf") bodies.push(Buffer.concat(chunks));
      res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  });
  await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
  t.after(() => receiver.close());
  const endpoint = `http://127.0.0.1:${receiver.address().port}/v1/traces`;
  const { url } = await startApp(t, join(root, "examples", "hello"), { env: { REPRISE_TRACING_CONFIG: JSON.stringify({ sampleRate: 1, otlp: { endpoint } }) } });

  const res = await fetch(`${url}/hello/otlp`);
  assert.equal(res.status, 200);
  const route = stringAttribute("http.route", "/hello/:name");
  const deadline = Date.now() + 20_000;
  while (!bodies.some((b) => b.includes(route)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.ok(bodies.some((b) => b.includes(route)), `an export request with http.route=/hello/:name (got ${bodies.length} requests)`);
  const body = bodies.find((b) => b.includes(route));
  assert.ok(body.includes(Buffer.from("/hello/otlp")), "and the request's own path beside it");
});

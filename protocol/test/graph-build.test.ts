import { test } from "node:test";
import assert from "node:assert/strict";
import { toGraph, IMPLICIT_GATEWAY } from "../src/index.js";
import { allModels, danglingApp, fullApp, model, service } from "./models.js";
import { matchSnapshot } from "./snapshot.js";

for (const [name, m] of Object.entries(allModels)) {
  test(`toGraph snapshot: ${name}`, () => {
    matchSnapshot(`${name}.graph.json`, JSON.stringify(toGraph(m), null, 2) + "\n");
  });
}

test("toGraph: one node per resource, with kinds and source locations", () => {
  const g = toGraph(fullApp);
  const ids = g.nodes.map((n) => n.id);
  for (const id of ["service:users", "service:email", "service:auth", "service:analytics", "database:users",
    "topic:signups", "cron:nightly-rollup", "bucket:avatars", "gateway:api"]) assert.ok(ids.includes(id), id);
  assert.equal(new Set(ids).size, ids.length, "node ids are unique");
  assert.equal(g.nodes.find((n) => n.id === "cron:nightly-rollup")?.label, "Nightly rollup");
  assert.equal(g.nodes.find((n) => n.id === "service:users")?.location?.file, "users/encore.service.ts");
});

test("toGraph: rpc edges merge call sites and list endpoint names once, sorted", () => {
  const rpc = toGraph(fullApp).edges.filter((e) => e.kind === "rpc");
  assert.deepEqual(rpc, [{ from: "service:email", to: "service:users", kind: "rpc", label: "create, get" }]);
});

test("toGraph: publishers → topic → subscribers, database, bucket, cron and auth edges", () => {
  const e = toGraph(fullApp).edges.map((x) => `${x.kind} ${x.from} ${x.to} ${x.label ?? ""}`.trim());
  assert.ok(e.includes("publish service:users topic:signups"));
  assert.ok(e.includes("subscribe topic:signups service:email welcome-email"));
  assert.ok(e.includes("subscribe topic:signups service:analytics count-signups"));
  assert.ok(e.includes("database service:users database:users"));
  assert.ok(e.includes("bucket service:users bucket:avatars download, upload"));
  assert.ok(e.includes("cron cron:nightly-rollup service:analytics rollup"));
  assert.ok(e.includes("auth gateway:api service:auth myAuth"));
  assert.equal(e.filter((x) => x.startsWith("publish ")).length, 1, "publishes + publishSites + publishers dedupe");
});

test("toGraph: dangling references draw no edge and invent no node", () => {
  const g = toGraph(danglingApp);
  assert.deepEqual(g.nodes.map((n) => n.id).sort(), ["cron:c", `gateway:${IMPLICIT_GATEWAY}`, "service:a"].sort());
  assert.deepEqual(g.edges, [{ from: `gateway:${IMPLICIT_GATEWAY}`, to: "service:a", kind: "auth", label: "h" }]);
});

test("toGraph: deterministic regardless of input order", () => {
  const a = model({ services: [service("b"), service("a", { calls: [{ service: "b", endpoint: "z", location: service("a").location! }] })] });
  const b = model({ services: [...a.app.services].reverse() });
  assert.deepEqual(toGraph(a), toGraph(b));
});

test("toGraph: tolerates a partial model (missing arrays) without throwing", () => {
  const partial = { version: 1, app: { id: "x", services: [{ name: "s" }] }, diagnostics: [] } as never;
  assert.deepEqual(toGraph(partial).nodes.map((n) => n.id), ["service:s"]);
});

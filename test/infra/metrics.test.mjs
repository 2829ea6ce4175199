// encore.dev/metrics under `reprise run`: counters, gauges and their groups with labels, each series tagged with
// its service, exported over OTLP/HTTP to the collector the runtime config names (here: derived from the tracing
// endpoint, a local OTLP receiver in this test), and shown locally by `reprise metrics` (the admin route).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root, startApp } from "../http/helpers.mjs";
import { waitFor } from "./fixtures/services.mjs";

const cli = join(root, "cli", "bin", "reprise.mjs");

/** A local OTLP/HTTP receiver: keeps every JSON body POSTed to /v1/metrics, answers /v1/traces too. */
async function otlpReceiver(t) {
  const metrics = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (d) => (body += d));
    req.on("end", () => {
      if (req.url === "/v1/metrics") metrics.push({ contentType: req.headers["content-type"], body: JSON.parse(body) });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => new Promise((r) => server.close(r)));
  return { url: `http://127.0.0.1:${server.address().port}`, metrics };
}

/** name → [{attributes, value}] from one OTLP metrics request body. */
function points(body) {
  const out = {};
  for (const rm of body.resourceMetrics) {
    for (const sm of rm.scopeMetrics) {
      for (const m of sm.metrics) {
        const data = m.sum ?? m.gauge;
        out[m.name] = {
          kind: m.sum ? `sum(monotonic=${m.sum.isMonotonic},temporality=${m.sum.aggregationTemporality})` : "gauge",
          points: data.dataPoints.map((p) => ({
            attributes: Object.fromEntries(p.attributes.map((a) => [a.key, a.value.stringValue])),
            value: p.asInt !== undefined ? Number(p.asInt) : p.asDouble,
          })),
        };
      }
    }
  }
  return out;
}

function reprise(args, cwd) {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 30_000, cwd }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

test("metrics: counters and gauges with labels, exported over OTLP and shown by `reprise metrics`", { timeout: 120_000 }, async (t) => {
  const otlp = await otlpReceiver(t);
  const work = mkdtempSync(join(tmpdir(), "reprise-metrics-"));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const configFile = join(work, "metrics.config.json");
  writeFileSync(configFile, JSON.stringify({ tracing: { exporter: "otlp", endpoint: `${otlp.url}/v1/traces` }, metrics: { intervalSeconds: 1 } }));
  const appDir = join(root, "test", "infra", "fixtures", "metrics-app");
  const app = await startApp(t, appDir, { args: ["--config", configFile] });
  const order = (qty) => fetch(`${app.url}/order`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ qty }) });
  for (const qty of [1, 2, 3]) assert.equal((await order(qty)).status, 200);
  const bad = await (await fetch(`${app.url}/bad`, { method: "POST" })).json();
  assert.match(bad.error, /invalid metric name "Bad-Name": use snake_case/);

  // The collector receives cumulative values, every series tagged with its service.
  const latest = await waitFor("an OTLP export with every order", () => {
    const last = otlp.metrics.at(-1);
    const p = last && points(last.body);
    return p?.orders_placed?.points[0]?.value === 6 && p.shop_requests?.points.length === 2 ? { last, p } : null;
  }, 20_000).catch((e) => {
    throw new Error(`${e.message}\nreceived: ${JSON.stringify(otlp.metrics.at(-1)?.body ?? null)}\napp stderr: ${app.stderr}`);
  });
  assert.equal(latest.last.contentType, "application/json");
  const p = latest.p;
  assert.deepEqual(p.orders_placed, { kind: "sum(monotonic=true,temporality=2)", points: [{ attributes: { service: "shop" }, value: 6 }] });
  const requests = p.shop_requests.points.sort((a, b) => a.attributes.ok.localeCompare(b.attributes.ok));
  assert.deepEqual(requests, [
    { attributes: { method: "POST", ok: "false", service: "shop" }, value: 1 },
    { attributes: { method: "POST", ok: "true", service: "shop" }, value: 3 },
  ]);
  // The gauge set at start-up (outside a request) and in requests is one series of the declaring service.
  assert.deepEqual(p.queue_depth, { kind: "gauge", points: [{ attributes: { service: "shop" }, value: 6 }] });
  assert.deepEqual(p.rack_temperature.points, [{ attributes: { rack: "7", region: "eu", service: "shop" }, value: 21.5 }]);

  // Locally: `reprise metrics` from the app's folder finds the run and prints the same series.
  const table = await reprise(["metrics"], appDir);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^NAME\s+KIND\s+SERVICE\s+LABELS\s+VALUE$/m);
  assert.match(table.stdout, /^orders_placed\s+counter\s+shop\s+-\s+6$/m);
  assert.match(table.stdout, /^shop_requests\s+counter\s+shop\s+method=POST,ok=true\s+3$/m);
  assert.match(table.stdout, /^rack_temperature\s+gauge\s+shop\s+rack=7,region=eu\s+21\.5$/m);
  const asJson = JSON.parse((await reprise(["metrics", "--json", "--port", String(new URL(app.url).port)], appDir)).stdout);
  assert.deepEqual(asJson.metrics.find((m) => m.name === "queue_depth"), { name: "queue_depth", kind: "gauge", service: "shop", labels: {}, value: 6 });
});

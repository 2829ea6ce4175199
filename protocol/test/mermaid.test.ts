import { test } from "node:test";
import assert from "node:assert/strict";
import { escapeLabel, mermaidNodeIds, toGraph, toMermaid, toMermaidDiagram } from "../src/index.js";
import { allModels, fullApp, hostileNames } from "./models.js";
import { matchSnapshot } from "./snapshot.js";

for (const [name, m] of Object.entries(allModels)) {
  test(`toMermaid snapshot: ${name}`, () => matchSnapshot(`${name}.mmd`, toMermaid(toGraph(m))));
}

test("toMermaid: flowchart with dashed pub/sub arrows and rpc labels", () => {
  const text = toMermaid(toGraph(fullApp));
  assert.match(text, /^flowchart LR\n/);
  assert.match(text, /svc_users -\.-> topic_signups/);
  assert.match(text, /topic_signups -\.->\|"welcome-email"\| svc_email/);
  assert.match(text, /svc_email -->\|"create, get"\| svc_users/);
  assert.match(text, /db_users\[\("users"\)\]/);
});

test("toMermaid: direction option and classes can be turned off", () => {
  const text = toMermaid(toGraph(fullApp), { direction: "TB", classes: false });
  assert.match(text, /^flowchart TB\n/);
  assert.doesNotMatch(text, /classDef/);
});

test("toMermaidDiagram: id table maps every mermaid id back to its graph node", () => {
  const g = toGraph(hostileNames);
  const { ids } = toMermaidDiagram(g);
  assert.deepEqual(Object.values(ids).sort(), g.nodes.map((n) => n.id).sort());
  for (const id of Object.keys(ids)) assert.match(id, /^[A-Za-z][A-Za-z0-9_]*$/);
});

test("mermaidNodeIds: collisions after sanitising get numeric suffixes, keywords never appear bare", () => {
  const ids = Object.keys(mermaidNodeIds(toGraph(hostileNames).nodes));
  assert.ok(ids.includes("svc_a_b") && ids.includes("svc_a_b_2"));
  for (const kw of ["end", "subgraph", "graph", "click", "style", "classDef"]) assert.ok(!ids.includes(kw));
});

test("escapeLabel: no character that can end a quoted label or start markup survives", () => {
  const out = escapeLabel('a"b<c>&d#e`f\nline|[x]{y}(z)\\');
  assert.doesNotMatch(out, /["<>&`\n|[\]{}()\\]/);
  assert.equal(escapeLabel("café ☕"), "café ☕");
  assert.equal(escapeLabel('"'), "#34;");
});

test("toMermaid: hostile labels stay inside their quotes", () => {
  const text = toMermaid(toGraph(hostileNames));
  for (const line of text.split("\n").filter((l) => /^\s+\w+[[({/]/.test(l))) {
    assert.equal((line.match(/"/g) ?? []).length, 2, `exactly one quoted label: ${line}`);
  }
});

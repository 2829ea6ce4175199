/** Completion inside declaration option objects works on raw (possibly unparsable) text. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { completions } from "../src/features/completion.js";

const at = (src: string) => {
  const offset = src.indexOf("|");
  return completions(src.slice(0, offset) + src.slice(offset + 1), offset);
};

test("method values inside quotes replace the typed word and close the string", () => {
  const items = at('export const x = api({ method: "PO|');
  assert.ok(items.length > 0);
  const post = items.find((i) => i.label === '"POST"')!;
  assert.deepEqual(post.textEdit, { range: { start: { line: 0, character: 32 }, end: { line: 0, character: 34 } }, newText: 'POST"' });
});

test("bare values are quoted for string options and not for booleans", () => {
  assert.deepEqual(at("api({ expose: |").map((i) => (i.textEdit as { newText: string }).newText), ["true", "false"]);
  assert.equal((at("api({ method: |")[0].textEdit as { newText: string }).newText, '"GET"');
});

test("option names exclude the ones present, per declaration kind", () => {
  const names = (src: string) => at(src).map((i) => i.label);
  assert.deepEqual(names('new Topic<M>("t", { | })'), ["deliveryGuarantee", "orderingAttribute"]);
  assert.ok(!names('new CronJob("c", { every: "1h", | })').includes("every"));
  assert.ok(names('new Subscription(topic, "s", {\n  handler: h,\n  |\n})').includes("ackDeadline"));
  assert.deepEqual(names('new Bucket("b", { | })'), ["public", "versioned"]);
});

test("nothing outside declaration options or inside nested objects", () => {
  assert.deepEqual(at("const o = { method: |"), []);
  assert.deepEqual(at("api({ method: 'GET' }, async () => { const y = { a: | } })"), []);
  assert.deepEqual(at('api({ path: "/x|" })'), []);
});

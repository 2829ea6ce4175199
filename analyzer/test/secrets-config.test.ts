/**
 * RP7006 (a secret the runtime config does not set): when it is reported, and the exact config text its quick fix
 * writes (into an environment's `secrets`, a new `secrets` object, a multi-line object, the top-level `secrets`);
 * the fixed file is still JSON and the diagnostic is gone.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { TextEdit } from "@reprise/protocol";
import { analyze, type SourceInput } from "../src/index.js";
import { envVarName } from "../src/link/secrets-config.js";

function offsetAt(text: string, line: number, character: number): number {
  let off = 0;
  for (let l = 0; l < line; l++) off = text.indexOf("\n", off) + 1;
  return off + character;
}
function applyEdits(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => offsetAt(text, b.range.start.line, b.range.start.character) - offsetAt(text, a.range.start.line, a.range.start.character));
  for (const e of sorted) text = text.slice(0, offsetAt(text, e.range.start.line, e.range.start.character)) + e.newText + text.slice(offsetAt(text, e.range.end.line, e.range.end.character));
  return text;
}

const app = (config: string | null, file = "reprise.config.json"): SourceInput[] => [
  { path: "encore.app", text: '{ "id": "x" }' },
  { path: "svc/encore.service.ts", text: 'import { Service } from "encore.dev/service";\nexport default new Service("svc");\n' },
  { path: "svc/keys.ts", text: 'import { secret } from "encore.dev/config";\nexport const stripe = secret("StripeKey");\nexport const gh = secret("GitHubToken");\n' },
  ...(config === null ? [] : [{ path: file, text: config }]),
];

/** The RP7006 messages, and the config after applying every RP7006 fix (checked clean and still JSON). */
function check(config: string | null, file = "reprise.config.json"): { messages: string[]; fixed: string | null } {
  const files = app(config, file);
  const ds = analyze(files).diagnostics.filter((d) => d.code === "RP7006");
  if (config === null || !ds.length) return { messages: ds.map((d) => d.message), fixed: null };
  let text = config;
  // One fix per secret; apply them one after the other as an editor would (re-analysing in between).
  for (let i = 0; i < ds.length; i++) {
    const d = analyze(app(text, file)).diagnostics.find((x) => x.code === "RP7006")!;
    text = applyEdits(text, d.fixes[0].edits);
  }
  JSON.parse(text);
  assert.deepEqual(analyze(app(text, file)).diagnostics.map((d) => d.code), [], `clean after the fixes:\n${text}`);
  return { messages: ds.map((d) => d.message), fixed: text };
}

test("env variable names from secret names", () => {
  assert.equal(envVarName("StripeKey"), "STRIPE_KEY");
  assert.equal(envVarName("GitHubToken"), "GIT_HUB_TOKEN");
  assert.equal(envVarName("APIKey"), "API_KEY");
  assert.equal(envVarName("db_password"), "DB_PASSWORD");
});

test("not reported without a config file, or with one that configures neither environments nor secrets, or that is not JSON", () => {
  assert.deepEqual(check(null).messages, []);
  assert.deepEqual(check('{ "sql": { "server": "$env:DATABASE_URL" } }').messages, []);
  assert.deepEqual(check('{ "environments": { "local": {} } }').messages, []);
  assert.deepEqual(check('{ "environments": ').messages, []);
});

test("environments: each one lacking the secret gets it, in its secrets object or a new one; local is not checked", () => {
  const r = check('{ "secrets": { "GitHubToken": "$env:GH" }, "environments": { "local": {}, "staging": {}, "production": { "secrets": { "Other": "x" } } } }');
  assert.deepEqual(r.messages, [
    `Secret 'StripeKey' is not set in reprise.config.json for the environments 'staging', 'production'; starting there fails with RP_SECRET_MISSING unless REPRISE_SECRET_StripeKey is set. The quick fix adds "StripeKey": "$env:STRIPE_KEY".`,
  ]);
  assert.equal(r.fixed, '{ "secrets": { "GitHubToken": "$env:GH" }, "environments": { "local": {}, "staging": { "secrets": { "StripeKey": "$env:STRIPE_KEY" } }, "production": { "secrets": { "StripeKey": "$env:STRIPE_KEY", "Other": "x" } } } }');
});

test("a multi-line config keeps its layout; the top-level secrets object when there are no environments; infra.config.json too", () => {
  const multi = ["{", '  "secrets": {', '    "Other": "x"', "  }", "}", ""].join("\n");
  assert.equal(check(multi).fixed, ["{", '  "secrets": {', '    "GitHubToken": "$env:GIT_HUB_TOKEN",', '    "StripeKey": "$env:STRIPE_KEY",', '    "Other": "x"', "  }", "}", ""].join("\n"));
  const r = check('{ "secrets": {} }', "infra.config.json");
  assert.equal(r.messages.length, 2);
  assert.match(r.messages[0], /not set in infra\.config\.json in its top-level secrets/);
  assert.equal(r.fixed, '{ "secrets": { "GitHubToken": "$env:GIT_HUB_TOKEN", "StripeKey": "$env:STRIPE_KEY" } }');
});

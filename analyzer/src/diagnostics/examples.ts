/**
 * The right example of each code for its docs page (docs/diagnostics/RPxxxx.md): a small app, corrected, that does
 * not report the code. test/docs.test.ts runs each through the analyser. A definition's own `right` wins.
 */
import type { ExampleFiles } from "./docs.js";

const SERVICE = 'import { Service } from "encore.dev/service";\nexport default new Service("svc");\n';
/** An app with the service `svc` and the given files. */
function svc(files: Record<string, string>): ExampleFiles {
  return { "svc/encore.service.ts": SERVICE, ...files };
}
const API = 'import { api } from "encore.dev/api";\n';
const DB = 'import { SQLDatabase } from "encore.dev/storage/sqldb";\n';
const TOPIC = 'import { Topic } from "encore.dev/pubsub";\n';
const SUB = 'import { Topic, Subscription } from "encore.dev/pubsub";\n';
const SECRET = 'import { secret } from "encore.dev/config";\n';
const BUCKET = 'import { Bucket } from "encore.dev/storage/objects";\n';
const cron = (job: string): ExampleFiles =>
  svc({ "svc/cron.ts": 'import { CronJob } from "encore.dev/cron";\nimport { api } from "encore.dev/api";\nexport const tick = api({}, async () => {});\n' + job + "\n" });
const AUTH =
  'import { authHandler } from "encore.dev/auth";\nimport { Gateway, Header } from "encore.dev/api";\n' +
  'interface P { authorization: Header<"Authorization"> }\ninterface D { userID: string }\n';
const authApp = (body: string): ExampleFiles => svc({ "svc/auth.ts": AUTH + body });
/** A service with the `logging` middleware (and `more`), registering `names`. */
const mw = (names: string[], more: string): ExampleFiles => ({
  "svc/encore.service.ts": `import { Service } from "encore.dev/service";\nimport { ${names.join(", ")} } from "./mw";\nexport default new Service("svc", { middlewares: [${names.join(", ")}] });\n`,
  "svc/mw.ts": 'import { middleware } from "encore.dev/api";\nexport const logging = middleware(async (req, next) => next(req));\n' + more,
});
const users = (orders: string): ExampleFiles => ({
  "users/encore.service.ts": 'import { Service } from "encore.dev/service";\nexport default new Service("users");\n',
  "users/api.ts": API + 'export const get = api({ method: "GET", path: "/users/:id" }, async (p: { id: string }) => ({ id: p.id }));\n',
  "orders/encore.service.ts": 'import { Service } from "encore.dev/service";\nexport default new Service("orders");\n',
  "orders/api.ts": API + orders,
});
const api = (body: string): ExampleFiles => svc({ "svc/api.ts": API + body });

export const RIGHT_EXAMPLES: Record<string, ExampleFiles> = {
  RP1001: api('export const ping = api({ path: "/ping" }, async () => {});\n'),
  // RP1005/RP1006: the same code kept small (split the expression, move the bundle out of the app's sources).
  RP1005: api('const nested = [[["a"]]];\nexport const ping = api({ path: "/ping" }, async () => ({ n: nested.length }));\n'),
  RP1006: api('export const ping = api({ path: "/ping" }, async () => {});\n'),
  RP1003: { "encore.app": '{ "id": "x" }\n' },
  RP1004: { "reprise.app": '{ "id": "my-app" }\n' },
  RP1010: api('export const a = api({ expose: true }, async () => {});\n'),
  RP1011: api('export const b = api({ expose: true }, async () => {});\n'),
  RP1012: api('export const c = api({ expose: true }, async () => {});\n'),
  RP1013: api('export const d = api({ expose: true }, async () => {});\n'),
  RP1014: api('export const e = api({ expose: true }, async () => {});\n'),
  RP1015: api('export const f = api({ expose: true }, async () => {});\n'),
  RP1017: api('export const a = api({ path: "/x" }, async () => {});\n'),
  RP1018: api('export const b = api({ expose: true }, async () => {});\n'),
  RP1019: api('export const c = api({ bodyLimit: 2 * 1024 * 1024 }, async () => {});\n'),
  RP1021: api('export const d = api({ tags: ["one"] }, async () => {});\n'),
  RP2001: api('export const ping = api({ path: "/ping" }, async () => {});\n'),
  RP2002: api('export const ping = api({ path: "/" }, async () => {});\n'),
  RP2003: api('export const ping = api({ path: "/a/b" }, async () => {});\n'),
  RP2004: api('export const get = api({ method: "GET", path: "/users/:id" }, async (p: { id: string }) => {});\n'),
  RP2005: api('export const files = api.raw({ path: "/files/*rest" }, async (req, resp) => { resp.end(); });\n'),
  RP2006: api('export const fallback = api.raw({ path: "/app/!rest" }, async (req, resp) => { resp.end(); });\n'),
  RP2007: api('export const list = api({ method: "GET", path: "/users" }, async (p: { limit: number }) => {});\n'),
  RP2008: api('export const page = api({ path: "/page" }, async () => {});\n'),
  RP2009: api('export const page = api({ path: "/page" }, async () => {});\n'),
  RP2010: api('export const page = api({ path: "/my-page" }, async () => {});\n'),
  RP2012: api('export const get = api({ method: "GET", path: "/a/:id/b/:other" }, async (p: { id: string; other: string }) => {});\n'),
  RP2024: api('export const get = api({ method: "GET", path: "/x" }, async () => {});\n'),
  RP2030: api('export const ping = api({ path: "/ping" }, async () => {});\n'),
  RP2035: api('export const get = api({ method: ["GET", "POST"], path: "/x" }, async () => {});\n'),
  RP1016: svc({ "svc/topic.ts": 'import { Topic, Subscription } from "encore.dev/pubsub";\nexport const t = new Topic<{ id: string }>("things", { deliveryGuarantee: "at-least-once" });\nconst _a = new Subscription(t, "a", { handler: async () => {} });\n' }),
  RP1020: svc({ "svc/topic.ts": 'import { Topic, Subscription } from "encore.dev/pubsub";\nexport const t = new Topic<{ id: string }>("things", { deliveryGuarantee: "at-least-once" });\nconst _b = new Subscription(t, "b", { handler: async () => {}, ackDeadline: "90m" });\n' }),
  RP1027: svc({ "svc/topic.ts": 'import { Topic, Subscription } from "encore.dev/pubsub";\nexport const t = new Topic<{ id: string }>("things", { deliveryGuarantee: "at-least-once" });\nconst _c = new Subscription(t, "c", { handler: async () => {}, maxConcurrency: 10 });\n' }),
  RP1022: svc({ "svc/infra.ts": 'import { Bucket } from "encore.dev/storage/objects";\nexport const a = new Bucket("files");\n' }),
  RP1023: svc({ "svc/infra.ts": 'import { Bucket } from "encore.dev/storage/objects";\nexport const files = new Bucket("files");\nexport const b = Bucket.named("files");\n' }),
  RP1024: svc({ "svc/infra.ts": 'import { Bucket } from "encore.dev/storage/objects";\nexport const c = new Bucket("files");\n' }),
  RP1025: svc({ "svc/infra.ts": 'import { Bucket } from "encore.dev/storage/objects";\nexport const d = new Bucket("uploads");\n' }),
  RP1026: svc({ "svc/infra.ts": 'import { Topic } from "encore.dev/pubsub";\nexport const f = new Topic<{ id: string }>("events", { deliveryGuarantee: "at-least-once" });\n' }),
  RP1030: { "d/encore.service.ts": 'import { Service } from "encore.dev/service";\nexport default new Service("d");\n' },
  RP1031: { "c/encore.service.ts": 'import { Service } from "encore.dev/service";\nexport default new Service("c");\n' },
  RP1032: { "a/encore.service.ts": 'import { Service } from "encore.dev/service";\nexport default new Service("a");\n' },
  RP1033: { "b/encore.service.ts": 'import { Service } from "encore.dev/service";\nexport default new Service("b");\n' },
  RP1034: { "empty/encore.service.ts": 'import { Service } from "encore.dev/service";\nexport default new Service("empty");\n' },
  RP1035: {
    "outer/encore.service.ts": 'import { Service } from "encore.dev/service";\nexport default new Service("outer");\n',
    "inner/encore.service.ts": 'import { Service } from "encore.dev/service";\nexport default new Service("inner");\n',
  },
  RP1036: {
    "one/encore.service.ts": 'import { Service } from "encore.dev/service";\nexport default new Service("one");\n',
    "two/reprise.service.ts": 'import { Service } from "reprise/service";\nexport default new Service("two");\n',
  },
  RP1037: { "three/encore.service.ts": 'import { Service } from "encore.dev/service";\nexport default new Service("my-service");\n' },
  RP1040: svc({ "svc/infra.ts": 'import { Bucket } from "encore.dev/storage/objects";\nexport const made = new Bucket("made");\n' }),
  RP1041: svc({ "svc/infra.ts": 'import { Topic } from "encore.dev/pubsub";\nexport const t = new Topic<{ id: string }>("events", { deliveryGuarantee: "at-least-once" });\n' }),
  RP2011: {
    "mysvc/encore.service.ts": 'import { Service } from "encore.dev/service";\nexport default new Service("mysvc");\n',
    "mysvc/api.ts": API + 'export const ping = api({ path: "/ping" }, async () => {});\n',
  },
  RP2020: api('export const ping = api({ path: "/ping" }, async () => {});\n'),
  RP2021: api('export const a = api({ path: "/a" }, async () => {});\n'),
  RP2022: api('export const b = api({ path: "/b" }, async () => {});\n'),
  RP2023: api('export const c = api({ method: "POST", path: "/c" }, async (p: { name: string }) => {});\n'),
  RP2025: api('export const b = api({ method: "*", path: "/b" }, async () => {});\n'),
  RP2026: api('export const c = api({ method: "GET", path: "/c" }, async () => {});\n'),
  RP2027: svc({
    "svc/a.ts": API + 'export const get = api({ method: "GET", path: "/items/:id" }, async (p: { id: string }) => {});\n',
    "svc/b.ts": API + 'export const other = api({ method: "POST", path: "/other" }, async () => {});\n',
  }),
  RP2028: api('export const get = api({ method: "GET", path: "/items/:id" }, async (p: { id: string }) => {});\nexport const put = api({ method: "PUT", path: "/items/:id" }, async (p: { id: string }) => {});\n'),
  RP2029: {
    "one/encore.service.ts": 'import { Service } from "encore.dev/service";\nexport default new Service("one");\n',
    "one/api.ts": API + 'export const hello = api({ method: "GET", path: "/hello/:name", expose: true }, async (p: { name: string }) => {});\n',
    "two/encore.service.ts": 'import { Service } from "encore.dev/service";\nexport default new Service("two");\n',
    "two/api.ts": API + 'export const hi = api({ method: "GET", path: "/hi/:name", expose: true }, async (p: { name: string }) => {});\n',
  },
  RP2031: api('export const a = api({ method: "GET", path: "/a/:id" }, async (p: { id: string }) => {});\n'),
  RP2032: api('interface GetReq { id: string; rev: string }\nexport const b = api({ method: "GET", path: "/b/:id/:rev" }, async (p: GetReq) => {});\n'),
  RP2034: api('export const c = api({ bodyLimit: 1024 }, async () => {});\n'),
  RP2037: api('export const e = api.streamOut<{ n: number }>({ path: "/e" }, async (stream) => {});\n'),
  RP2040: svc({ "svc/assets/index.html": "<h1>hi</h1>\n", "svc/static.ts": API + 'export const a = api.static({ path: "/a/*p", dir: "./assets" });\n' }),
  RP2041: svc({ "svc/assets/index.html": "<h1>hi</h1>\n", "svc/static.ts": API + 'export const b = api.static({ path: "/b/*p", dir: "./assets" });\n' }),
  RP2042: svc({ "svc/assets/index.html": "<h1>hi</h1>\n", "svc/static.ts": API + 'export const c = api.static({ path: "/c/*file", dir: "./assets" });\n' }),
  RP2043: svc({ "svc/assets/index.html": "<h1>hi</h1>\n", "svc/static.ts": API + 'export const d = api.static({ path: "/d/*p", dir: "./assets" });\n' }),
  RP2044: svc({ "svc/assets/index.html": "<h1>hi</h1>\n", "svc/static.ts": API + 'export const e = api.static({ path: "/e/*p", dir: "./assets" });\n' }),
  RP2045: svc({ "svc/assets/index.html": "<h1>hi</h1>\n", "svc/assets/404.html": "<h1>not found</h1>\n", "svc/static.ts": API + 'export const f = api.static({ path: "/f/*p", dir: "./assets", notFound: "./assets/404.html" });\n' }),
  RP2046: svc({ "svc/assets/index.html": "<h1>hi</h1>\n", "svc/static.ts": API + 'export const g = api.static({ path: "/g/*p", dir: "./assets", headers: { "x-a": "1" } });\n' }),
  RP2050: api('export const a = api.streamInOut<{ x: string }, { y: string }>({ path: "/a" }, async (stream) => {});\n'),
  RP2051: api('export const b = api.streamInOut<{ x: string }, { y: string }>({ path: "/b" }, async (stream) => {});\n'),
  RP2060: api('export const e = api({ path: "/e" }, async () => {});\n'),
  RP4001: svc({ "svc/migrations/1_init.up.sql": "CREATE TABLE t (id int);\n", "svc/db.ts": DB + 'export const a = new SQLDatabase("a_db", { migrations: "./migrations" });\n' }),
  RP4002: svc({ "svc/migrations/1_init.up.sql": "CREATE TABLE t (id int);\n", "svc/migrations/2_notes.up.sql": "ALTER TABLE t ADD COLUMN note text;\n", "svc/db.ts": DB + 'export const db = new SQLDatabase("main", { migrations: "./migrations" });\n' }),
  RP4003: svc({ "svc/prisma/1_init/migration.sql": "CREATE TABLE t (id int);\n", "svc/prisma/2_users/migration.sql": "CREATE TABLE users (id int);\n", "svc/db.ts": DB + 'export const pdb = new SQLDatabase("prisma_db", { migrations: { path: "./prisma", source: "prisma" } });\n' }),
  RP4004: svc({ "svc/migrations/1_init.sql": "CREATE TABLE t (id int);\n", "svc/db.ts": DB + 'export const b = new SQLDatabase("b_db", { migrations: { path: "./migrations", source: "drizzle" } });\n' }),
  RP4005: {
    "svc/encore.service.ts": SERVICE,
    "svc/db.ts": DB + 'export const db = new SQLDatabase("main");\n',
    "other/encore.service.ts": 'import { Service } from "encore.dev/service";\nexport default new Service("other");\n',
    "other/db.ts": DB + 'export const db2 = SQLDatabase.named("main");\n',
  },
  RP4006: svc({ "svc/db.ts": DB + 'export const d = new SQLDatabase("main");\nexport const e = SQLDatabase.named("main");\n' }),
  RP4007: svc({ "svc/migrations/1_init.up.sql": "CREATE TABLE t (id int);\n", "svc/migrations/2_users.up.sql": "CREATE TABLE users (id int);\n", "svc/migrations/3_again.up.sql": "CREATE TABLE again (id int);\n", "svc/db.ts": DB + 'export const db = new SQLDatabase("main", { migrations: "./migrations" });\n' }),
  RP4008: svc({ "svc/migrations/1_init.up.sql": "CREATE TABLE t (id int);\n", "svc/migrations/2_late.up.sql": "CREATE TABLE late (id int);\n", "svc/db.ts": DB + 'export const db = new SQLDatabase("main", { migrations: "./migrations" });\n' }),
  RP4009: svc({ "svc/migrations/1_init.up.sql": "CREATE TABLE t (id int);\n", "svc/db.ts": DB + 'export const c = new SQLDatabase("c_db", { migrations: "./migrations" });\n' }),
  RP4010: svc({ "svc/db.ts": DB + 'export const d = new SQLDatabase("my_db");\n' }),
  RP4011: svc({
    "svc/db.ts": DB + 'export const db = new SQLDatabase("main");\n',
    "svc/seed.ts": 'import { db } from "./db";\nexport async function seed() {\n  await db.exec`INSERT INTO t VALUES (1)`;\n}\n',
  }),
  RP4012: svc({ "svc/db.ts": DB + 'export const d = new SQLDatabase("main");\nexport async function count() {\n  return d.queryRow`SELECT 1 AS n`;\n}\n' }),
  RP5001: svc({ "svc/topics.ts": TOPIC + 'export const a = new Topic<{ id: string }>("typed", {});\n' }),
  RP5002: svc({ "svc/topics.ts": TOPIC + 'export const b = new Topic<{ id: string }>("b", { deliveryGuarantee: "at-least-once" });\n' }),
  RP5003: svc({ "svc/topics.ts": TOPIC + 'export const b = new Topic<{ id: string }>("b", {});\nexport const c = new Topic<{ id: string }>("c", {});\n' }),
  RP5004: svc({ "svc/topics.ts": TOPIC + 'export const d = new Topic<{ id: string }>("user-signups", {});\n' }),
  RP5015: svc({ "svc/topics.ts": TOPIC + 'export const e = new Topic<{ customer: string }>("ordered", { orderingAttribute: "customer" });\n' }),
  RP5005: svc({ "svc/topics.ts": SUB + 'export const t = new Topic<{ id: string }>("things", {});\nconst s1 = new Subscription(t, "x", { handler: async () => {} });\n' }),
  RP5006: svc({ "svc/topics.ts": SUB + 'export const t = new Topic<{ id: string }>("things", {});\nconst s2 = new Subscription(t, "y", { handler: async () => {} });\n' }),
  RP5007: svc({ "svc/topics.ts": SUB + 'export const t = new Topic<{ id: string }>("things", {});\nconst s3 = new Subscription(t, "first", { handler: async () => {} });\nconst s4 = new Subscription(t, "second", { handler: async () => {} });\n' }),
  RP5008: svc({ "svc/topics.ts": SUB + 'export const t = new Topic<{ id: string }>("things", {});\nconst s5 = new Subscription(t, "send-email", { handler: async () => {} });\n' }),
  RP5011: svc({
    "svc/topics.ts": TOPIC + 'export const t = new Topic<{ id: string }>("things", {});\n',
    "svc/publish.ts": 'import { t } from "./topics";\nexport async function go() {\n  await t.publish({ id: "1" });\n}\n',
  }),
  RP5012: svc({ "svc/topics.ts": TOPIC + 'export const t = new Topic<{ id: string }>("things", {});\nexport async function go() {\n  await t.publish({ id: "1" });\n}\n' }),
  RP5013: svc({ "svc/topics.ts": 'import { Topic, type Publisher } from "encore.dev/pubsub";\nexport const t = new Topic<{ id: string }>("things", {});\nexport const ref = t.ref<Publisher>();\n' }),
  RP5014: svc({ "svc/topics.ts": SUB + 'export const t = new Topic<{ id: string }>("things", {});\nconst s = new Subscription(t, "s", { handler: async () => {}, ackDeadline: "30s" });\n' }),
  RP5016: svc({ "svc/topics.ts": SUB + 'export const t = new Topic<{ id: string }>("things", {});\nconst s = new Subscription(t, "s", { handler: async () => {}, retryPolicy: { minBackoff: "1s", maxBackoff: "1m" } });\n' }),
  RP6001: cron('const c1 = new CronJob("c1", { endpoint: tick, every: "1h" });'),
  RP6002: cron('const c2 = new CronJob("c2", { endpoint: tick, every: "1h" });'),
  RP6003: cron('const c3 = new CronJob("c3", { endpoint: tick, every: "1h" });'),
  RP6004: cron('const c4 = new CronJob("c4", { endpoint: tick, schedule: "0 * * * *" });'),
  RP6005: cron('const c5 = new CronJob("c5", { endpoint: tick, every: "2m" });'),
  RP6006: cron('const c6 = new CronJob("c6", { endpoint: tick, schedule: "0 0 */2 * *" });'),
  RP6007: cron('const c7 = new CronJob("c7", { endpoint: tick, every: "8h" });'),
  RP6008: cron('const c8 = new CronJob("c8", { endpoint: tick, schedule: "0 * * * *" });'),
  RP6009: cron('const c9 = new CronJob("c9", { endpoint: tick, schedule: "0 23 * * *" });'),
  RP6010: cron('const c1 = new CronJob("c1", { endpoint: tick, every: "1h" });\nconst c10 = new CronJob("c10", { endpoint: tick, every: "1h" });'),
  RP6011: cron('const c11 = new CronJob("nightly-job", { endpoint: tick, every: "1h" });'),
  RP6012: cron('const c12 = new CronJob("c12", { endpoint: tick, every: "1h" });'),
  RP6013: cron('const c13 = new CronJob("c13", { endpoint: tick, every: "10m" });'),
  RP7001: svc({ "svc/secrets.ts": SECRET + 'const inner = secret("Inner");\nexport function f() {\n  return inner();\n}\n' }),
  RP7002: svc({ "svc/secrets.ts": SECRET + 'export const bound = secret("Bound");\n' }),
  RP7003: svc({ "svc/secrets.ts": SECRET + 'export const a = secret("A");\nexport const b = secret("B");\n' }),
  RP7005: svc({ "svc/config.ts": SECRET + 'export const inside = secret("Inside");\n' }),
  RP7006: svc({ "svc/secrets.ts": SECRET + 'export const stripe = secret("StripeKey");\n', "reprise.config.json": '{ "environments": { "production": { "secrets": { "StripeKey": "$env:STRIPE_KEY" } } } }\n' }),
  RP7010: svc({ "svc/buckets.ts": BUCKET + 'export const a = new Bucket("files", {});\n' }),
  RP7011: svc({ "svc/buckets.ts": BUCKET + 'export const b = new Bucket("my-files", { versioned: true });\n' }),
  RP7012: svc({ "svc/buckets.ts": BUCKET + 'export const c = new Bucket("files", { public: false });\nexport const d = new Bucket("images");\n' }),
  RP7013: svc({ "svc/buckets.ts": BUCKET + 'export const files = new Bucket("files");\nexport const e = Bucket.named("files");\n' }),
  RP7014: svc({ "svc/buckets.ts": BUCKET + 'export const c = new Bucket("files", { public: true });\nexport function url() {\n  return c.publicUrl("x");\n}\n' }),
  RP7015: svc({ "svc/buckets.ts": BUCKET + 'export const c = new Bucket("files");\nexport async function del() {\n  await c.remove("x");\n}\n' }),
  RP7016: svc({ "svc/buckets.ts": BUCKET + 'export const c = new Bucket("files");\nexport async function up() {\n  await c.upload("k", Buffer.from(""));\n}\n' }),
  RP7017: svc({ "svc/buckets.ts": 'import { Bucket, type Uploader } from "encore.dev/storage/objects";\nexport const c = new Bucket("files");\nexport const ref = c.ref<Uploader>();\n' }),
  RP7018: svc({ "svc/buckets.ts": 'import { Bucket, type Uploader, type Downloader } from "encore.dev/storage/objects";\nexport const files = new Bucket("files");\nexport const ok = files.ref<Uploader & Downloader>();\n' }),
  RP8001: authApp('export const auth = authHandler<P, D>(async (p) => ({ userID: "x" }));\nexport const gateway = new Gateway({ authHandler: auth });\n'),
  RP8002: authApp('export const a = authHandler<P, D>(async (p) => ({ userID: "x" }));\nexport const gateway = new Gateway({ authHandler: a });\n'),
  RP8003: authApp('export const b = authHandler(async (p: P): Promise<D> => ({ userID: "x" }));\nexport const gateway = new Gateway({ authHandler: b });\n'),
  RP8004: authApp('export const c = authHandler<P, D>(async (p) => ({ userID: "x" }));\nexport const gateway = new Gateway({ authHandler: c });\n'),
  RP8005: authApp('export const c = authHandler(async (p: P): Promise<D> => ({ userID: "x" }));\nexport const gateway = new Gateway({ authHandler: c });\n'),
  RP8006: authApp('export const first = authHandler<P, D>(async (p) => ({ userID: "x" }));\nexport const gateway = new Gateway({ authHandler: first });\n'),
  RP8007: authApp('export const a = authHandler<P, D>(async (p) => ({ userID: "x" }));\nexport const gateway = new Gateway({ authHandler: a });\n'),
  RP8008: authApp('export const first = authHandler<P, D>(async (p) => ({ userID: "x" }));\nexport const gw = new Gateway({ authHandler: first });\n'),
  RP8009: authApp('export const first = authHandler<P, D>(async (p) => ({ userID: "x" }));\nexport const gw = new Gateway({ authHandler: first });\n'),
  RP8011: authApp('export const first = authHandler<P, D>(async (p) => ({ userID: "x" }));\nexport const gw = new Gateway({ authHandler: first });\n'),
  RP8010: svc({
    "svc/auth.ts": AUTH + 'export const auth = authHandler<P, D>(async (p) => ({ userID: "x" }));\nexport const gateway = new Gateway({ authHandler: auth });\n',
    "svc/api.ts": 'import { api } from "encore.dev/api";\nimport { getAuthData } from "~encore/auth";\nexport const me = api({ auth: true, expose: true }, async () => {\n  const data = getAuthData();\n  return { id: data?.userID ?? "" };\n});\n',
  }),
  RP8012: svc({
    "svc/auth.ts": AUTH + 'export const auth = authHandler<P, D>(async (p) => ({ userID: "x" }));\nexport const gateway = new Gateway({ authHandler: auth });\n',
    "svc/api.ts": 'import { api } from "encore.dev/api";\nimport { getAuthData } from "~encore/auth";\nexport const me = api({ auth: true, expose: true }, async () => {\n  const data = getAuthData();\n  return { id: data?.userID ?? "" };\n});\n',
  }),
  RP8014: mw(["logging", "authOnly"], 'export const authOnly = middleware({ target: { auth: true } }, async (req, next) => next(req));\n'),
  RP8016: mw(["logging", "broken"], 'export const broken = middleware({ target: {} }, async (req, next) => next(req));\n'),
  RP8018: mw(["logging"], ""),
  RP9001: users('import { users } from "~encore/clients";\nexport const place = api({}, async () => {\n  await users.get({ id: "1" });\n});\n'),
  RP9002: users('import { users } from "~encore/clients";\nexport const place = api({}, async () => {\n  await users.get({ id: "1" });\n});\n'),
  RP9003: users('import { users } from "~encore/clients";\nexport const place = api({}, async () => {\n  const u = await users.get({ id: "1" });\n  return { id: u.id };\n});\n'),
  RP9004: users('import { users } from "~encore/clients";\nexport const run = api({}, async () => {\n  await users.get({ id: "1" });\n});\n'),
  RP9008: {
    ...users('import { getAuthData } from "~encore/auth";\nexport const place = api({ auth: true }, async () => {\n  getAuthData();\n});\n'),
    "users/auth.ts": AUTH + 'export const auth = authHandler<P, D>(async (p) => ({ userID: "x" }));\nexport const gateway = new Gateway({ authHandler: auth });\n',
  },
};

/** An endpoint `e` whose request (or, with role "response", response) type is `Req`, after `prelude`. */
function schemaApp(prelude: string, req: string, role: "request" | "response" | "get" = "request"): ExampleFiles {
  const imports =
    'import { api, Header, HttpStatus } from "encore.dev/api";\nimport { MinLen, Min } from "encore.dev/validate";\n';
  const ep =
    role === "response"
      ? 'export const e = api({ method: "GET", path: "/e" }, async (): Promise<Req> => { throw new Error("todo"); });\n'
      : `export const e = api({ method: "${role === "get" ? "GET" : "POST"}", path: "/e" }, async (p: Req) => {});\n`;
  return svc({ "svc/api.ts": `${imports}${prelude}${prelude ? "\n" : ""}type Req = ${req};\n${ep}` });
}

/** An auth handler whose parameters have an Authorization header and `field`. */
function authParams(field: string): ExampleFiles {
  return svc({
    "svc/auth.ts":
      'import { authHandler } from "encore.dev/auth";\nimport { Gateway, Header } from "encore.dev/api";\n' +
      `interface P { token: Header<"Authorization">; ${field} }\ninterface D { userID: string }\n` +
      'export const auth = authHandler<P, D>(async (p) => ({ userID: "x" }));\nexport const gateway = new Gateway({ authHandler: auth });\n',
  });
}

/** Wrong and right examples of the schema codes (RP3xxx), which have no `.cases` case. */
const SCHEMA_PAIRS: Record<string, [ExampleFiles, ExampleFiles]> = {
  RP3001: [schemaApp("", "{ pair: [string, number] }"), schemaApp("", "{ pair: { name: string; count: number } }")],
  RP3002: [schemaApp('class User { name = "" }', "{ u: User }"), schemaApp("interface User { name: string }", "{ u: User }")],
  RP3003: [schemaApp("", "{ cb: (x: number) => void }"), schemaApp("", "{ x: number }")],
  RP3004: [schemaApp("", "{ s: symbol }"), schemaApp("", "{ s?: string }")],
  RP3005: [schemaApp("", "{ id: string; [key: string]: string }"), schemaApp("", "{ id: string; extra: Record<string, string> }")],
  RP3006: [schemaApp("interface Page<T> { items: T[] }", "Page"), schemaApp("interface Page<T> { items: T[] }", "Page<string>")],
  RP3007: [schemaApp("interface User { name: string }", "{ u: Userr }"), schemaApp("interface User { name: string }", "{ u: User }")],
  RP3008: [schemaApp('import type { Foo } from "some-lib";', "{ f: Foo }"), schemaApp("interface Foo { id: string }", "{ f: Foo }")],
  RP3009: [schemaApp('import type { Gone } from "./gone";', "{ g: Gone }"), { ...schemaApp('import type { Gone } from "./gone";', "{ g: Gone }"), "svc/gone.ts": "export interface Gone { id: string }\n" }],
  RP3010: [
    { ...schemaApp('import type { Secret } from "./t";', "{ s: Secret }"), "svc/t.ts": "interface Secret { s: string }\n" },
    { ...schemaApp('import type { Secret } from "./t";', "{ s: Secret }"), "svc/t.ts": "export interface Secret { s: string }\n" },
  ],
  RP3011: [schemaApp("function f() {}", "{ v: typeof f }"), schemaApp('const defaults = { limit: 10 };', "{ v: typeof defaults }")],
  RP3012: [schemaApp("type A = B;\ntype B = A;", "{ a: A }"), schemaApp("type A = { id: string };", "{ a: A }")],
  RP3013: [schemaApp("", "string"), schemaApp("", "{ name: string }")],
  RP3014: [schemaApp("const base = 1;\nenum E { A = base + 1 }", "{ e: E }"), schemaApp("enum E { A = 2 }", "{ e: E }")],
  RP3015: [schemaApp('const k = "x";', "{ [k]: string }"), schemaApp("", "{ x: string }")],
  RP3016: [schemaApp("interface U { id: string }", 'Pick<U, "name">'), schemaApp("interface U { id: string; name: string }", 'Pick<U, "name">')],
  RP3020: [schemaApp("", "{ s: string & MinLen<-1> }"), schemaApp("", "{ s: string & MinLen<1> }")],
  RP3021: [schemaApp("", "{ n: number & MinLen<3> }"), schemaApp("", "{ n: number & Min<3> }")],
  RP3022: [schemaApp("", "{ n: Min<3> }"), schemaApp("", "{ n: number & Min<3> }")],
  RP3030: [schemaApp("", "{ h: Header<string, number> }"), schemaApp("", '{ h: Header<string, "X-H"> }')],
  RP3031: [schemaApp("", "{ s: HttpStatus<200> }", "response"), schemaApp("", "{ s: HttpStatus }", "response")],
  RP3032: [schemaApp("", "{ filter: { a: string } }", "get"), schemaApp("", "{ a: string }", "get")],
  RP3033: [schemaApp("", "{ s: HttpStatus; t: HttpStatus }", "response"), schemaApp("", "{ s: HttpStatus }", "response")],
  RP3034: [
    svc({ "svc/api.ts": API + 'export const e = api({ method: "GET", path: "/e/:id" }, async (p: { id: { x: string } }) => {});\n' }),
    svc({ "svc/api.ts": API + 'export const e = api({ method: "GET", path: "/e/:id" }, async (p: { id: string }) => {});\n' }),
  ],
  RP3037: [
    svc({ "svc/topics.ts": 'import { Topic, Attribute } from "encore.dev/pubsub";\nexport const t = new Topic<{ a: Attribute<{ x: string }> }>("things", {});\n' }),
    svc({ "svc/topics.ts": 'import { Topic, Attribute } from "encore.dev/pubsub";\nexport const t = new Topic<{ a: Attribute<string> }>("things", {});\n' }),
  ],
  RP3038: [
    authParams("tenant: string"),
    authParams('tenant: Header<"X-Tenant">'),
  ],
  RP3035: [schemaApp("interface H { a: string }", '{ h: Header<H, "X-H"> }'), schemaApp("", '{ h: Header<string, "X-H"> }')],
  RP3036: [schemaApp("", "{ s: HttpStatus }"), schemaApp("", "{ s: number }")],
};

export const SCHEMA_WRONG: Readonly<Record<string, ExampleFiles>> = Object.fromEntries(Object.entries(SCHEMA_PAIRS).map(([k, v]) => [k, v[0]]));
Object.assign(RIGHT_EXAMPLES, Object.fromEntries(Object.entries(SCHEMA_PAIRS).map(([k, v]) => [k, v[1]])));

/** An app whose database `svc` has the migration `migration` and whose svc/api.ts runs `query` (RP41xx examples). */
function sqlApp(migration: string, query: string): ExampleFiles {
  return svc({
    "svc/db.ts": DB + 'export const db = new SQLDatabase("svc", { migrations: "./migrations" });\n',
    "svc/migrations/1_init.up.sql": migration,
    "svc/api.ts": `import { db } from "./db";\nexport async function f(id: number) {\n  return ${query};\n}\n`,
  });
}
const USERS = "CREATE TABLE users (id INT PRIMARY KEY, email TEXT NOT NULL, plan TEXT NOT NULL, active BOOLEAN NOT NULL);\n";
const ROW = "db.queryRow<{ email: string; plan: string; active: boolean }>`SELECT email, plan, active FROM users WHERE id = ${id}`";
Object.assign(RIGHT_EXAMPLES, {
  RP4101: sqlApp(USERS, ROW),
  RP4102: sqlApp(USERS, 'db.queryRow<{ email: string }>`SELECT email FROM users WHERE id = ${id} AND plan = ${"pro"}`'),
  RP4103: sqlApp(USERS, ROW),
  RP4104: sqlApp(USERS, ROW),
  RP4105: sqlApp(USERS.replace("plan TEXT NOT NULL", "plan TEXT"), "db.queryRow<{ email: string; plan: string | null; active: boolean }>`SELECT email, plan, active FROM users WHERE id = ${id}`"),
  RP4106: sqlApp("CREATE TABLE items (id INT PRIMARY KEY, embedding REAL[] NOT NULL);\n", "db.queryAll<{ id: number }>`SELECT id FROM items WHERE id = ${id}`"),
  RP4107: {
    ...sqlApp("CREATE TABLE items (id UUID PRIMARY KEY DEFAULT gen_random_uuid(), name TEXT NOT NULL);\n", "db.queryRow<{ id: string }>`SELECT id FROM items WHERE name = ${String(id)}`"),
    "reprise.config.json": '{ "environments": { "production": { "sql": { "postgresVersion": 16 } } } }\n',
  },
});

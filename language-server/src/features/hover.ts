/** Hover cards: an endpoint's method, path, access and request/response shapes; a client call's target; topics, subscriptions, cron jobs. */
import type { Hover } from "vscode-languageserver/node";
import type { CronJob, Database, Endpoint, Position, Service, Subscription, Topic } from "@reprise/protocol";
import { schemaToText } from "../schema-text.js";
import { markdownHover } from "../to-proto.js";
import { entitiesAt, type FeatureContext } from "./context.js";

function code(text: string): string {
  return "```ts\n" + text + "\n```";
}

export function endpointCard(endpoint: Endpoint, service: Service): string {
  const access = [endpoint.expose ? "exposed" : "private (callable only from inside the app)", endpoint.auth ? "requires auth" : "no auth required"];
  if (endpoint.raw) access.push("raw");
  if (endpoint.streaming) access.push(`streaming (${endpoint.streaming})`);
  if (endpoint.sensitive) access.push("sensitive");
  if (endpoint.tags.length) access.push(`tags: ${endpoint.tags.join(", ")}`);
  const parts = [`**${endpoint.method.join(", ")} ${endpoint.path}** — \`${service.name}.${endpoint.name}\``, access.join(" · ")];
  if (endpoint.doc) parts.push(endpoint.doc);
  if (endpoint.static) {
    parts.push(`Serves static files from \`${endpoint.static.dir}\``);
  } else if (!endpoint.raw) {
    const lines = [`// request\n${schemaToText(endpoint.request)}`, `// response\n${schemaToText(endpoint.response)}`];
    if (endpoint.handshake) lines.unshift(`// handshake\n${schemaToText(endpoint.handshake)}`);
    parts.push(code(lines.join("\n")));
  }
  return parts.join("\n\n");
}

function topicCard(topic: Topic, publishers: number): string {
  const subs = topic.subscriptions.length;
  const parts = [
    `**topic \`${topic.name}\`**${topic.service ? ` — service \`${topic.service}\`` : ""}`,
    `${topic.deliveryGuarantee} · ${subs} subscriber${subs === 1 ? "" : "s"} · ${publishers} publish site${publishers === 1 ? "" : "s"}${topic.orderingAttribute ? ` · ordered by \`${topic.orderingAttribute}\`` : ""}`,
  ];
  if (topic.message) parts.push(code(`// message\n${schemaToText(topic.message)}`));
  return parts.join("\n\n");
}

const duration = (ms: number) => (ms % 86400000 === 0 ? `${ms / 86400000}d` : ms % 3600000 === 0 ? `${ms / 3600000}h` : ms % 60000 === 0 ? `${ms / 60000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

function subscriptionCard(sub: Subscription, topic: Topic | undefined): string {
  const r = sub.retryPolicy;
  return [
    `**subscription \`${sub.name}\`** — reads topic \`${sub.topic}\`${topic ? "" : " (not found)"}, service \`${sub.service}\``,
    `ack deadline ${duration(sub.ackDeadlineMs)} · retention ${duration(sub.messageRetentionMs)} · retries ${r.maxRetries} (backoff ${duration(r.minBackoffMs)}–${duration(r.maxBackoffMs)})${sub.maxConcurrency !== null ? ` · max concurrency ${sub.maxConcurrency}` : ""}`,
  ].join("\n\n");
}

function cronCard(cron: CronJob): string {
  const when = cron.every ? `every ${cron.every}` : cron.schedule ? `schedule \`${cron.schedule}\` (UTC)` : "no schedule";
  const target = cron.endpoint ? `calls \`${cron.endpoint.service}.${cron.endpoint.name}\`` : "endpoint not found";
  return [`**cron job \`${cron.name}\`**${cron.title && cron.title !== cron.name ? ` — ${cron.title}` : ""}`, `${when} · ${target}`].join("\n\n");
}

function databaseCard(db: Database): string {
  const n = db.migrations.files.length;
  return [`**SQL database \`${db.name}\`**${db.service ? ` — service \`${db.service}\`` : ""}`, `${n} migration${n === 1 ? "" : "s"}${db.migrations.dir ? ` in \`${db.migrations.dir}\`` : ""}`].join("\n\n");
}

export function hover(ctx: FeatureContext, position: Position): Hover | null {
  for (const placed of entitiesAt(ctx, position)) {
    const e = placed.entity;
    let value: string | undefined;
    switch (e.kind) {
      case "endpoint":
        value = endpointCard(e.endpoint, e.service);
        break;
      case "call": {
        const target = ctx.index.endpoint(e.call.service, e.call.endpoint);
        value = target
          ? `Calls ${endpointCard(target.endpoint, target.service)}`
          : `Calls \`${e.call.service}.${e.call.endpoint}\` — no such endpoint in this app`;
        break;
      }
      case "topic":
        value = topicCard(e.topic, ctx.index.publishers(e.topic).length);
        break;
      case "publish": {
        const topic = ctx.index.topics.get(e.site.topic);
        value = topic ? `Publishes to ${topicCard(topic, ctx.index.publishers(topic).length)}` : `Publishes to topic \`${e.site.topic}\``;
        break;
      }
      case "subscription":
        value = subscriptionCard(e.subscription, e.topic);
        break;
      case "cron":
        value = cronCard(e.cron);
        break;
      case "database":
        value = databaseCard(e.database);
        break;
      case "bucket":
        value = `**bucket \`${e.bucket.name}\`** — ${e.bucket.public ? "public" : "private"}${e.bucket.versioned ? ", versioned" : ""}`;
        break;
      case "secret":
        value = `**secret \`${e.secret.name}\`**${e.secret.service ? ` — used by service \`${e.secret.service}\`` : ""}`;
        break;
      case "authHandler":
        value = `**auth handler \`${e.authHandler.name}\`** — service \`${e.authHandler.service}\`\n\n${code(`// params\n${schemaToText(e.authHandler.params)}\n// auth data\n${schemaToText(e.authHandler.authData)}`)}`;
        break;
      case "gateway":
        value = `**gateway \`${e.gateway.name}\`**${e.gateway.authHandler ? ` — auth handler \`${e.gateway.authHandler}\`` : ""}`;
        break;
      case "service":
        value = `**service \`${e.service.name}\`** — ${e.service.endpoints.length} endpoint${e.service.endpoints.length === 1 ? "" : "s"}`;
        break;
    }
    if (value) return markdownHover(value, placed.location.range);
  }
  return null;
}

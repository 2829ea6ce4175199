/**
 * Code lenses: Run / Call / Debug on endpoints, "N subscribers" and "Publish test message" on topics, the
 * topic a subscription reads, "Run now" on cron jobs. Provide is cheap (positions and a small `data` key only); resolve builds the command and
 * its argument (sample request from the schema, subscriber locations) for the lenses actually on screen.
 */
import type { CodeLens, Command } from "vscode-languageserver/node";
import {
  ClientCommand,
  type CodeLensData,
  type CodeLensKind,
  type EndpointCommandArgs,
  type Location,
  type PublishMessageArgs,
  type RunCronJobArgs,
  type ShowLocationsArgs,
} from "@reprise/protocol";
import type { AppRoot } from "../app-root.js";
import type { ModelIndex } from "../model-index.js";
import { sampleValue } from "@reprise/protocol";
import { fileUri, location, range } from "../to-proto.js";

type LensKind = CodeLensKind;
/** Kept small: clients echo it back on resolve. */
export type LensData = CodeLensData;

export function provideCodeLenses(root: AppRoot, file: string): CodeLens[] {
  const lenses: CodeLens[] = [];
  const at = (loc: Location, kind: LensKind, key: string) => {
    const start = loc.range.start;
    const data: LensData = { root: root.uriString, kind, key };
    lenses.push({ range: { start, end: start }, data });
  };
  for (const p of root.modelIndex().inFile(file)) {
    const e = p.entity;
    if (e.kind === "endpoint") {
      const key = `${e.service.name}.${e.endpoint.name}`;
      at(p.location, "run", key);
      at(p.location, "call", key);
      at(p.location, "debug", key);
    } else if (e.kind === "topic") {
      at(p.location, "subscribers", e.topic.name);
      at(p.location, "publish", e.topic.name);
    }
    else if (e.kind === "subscription") at(p.location, "topic", `${e.subscription.topic}/${e.subscription.name}`);
    else if (e.kind === "cron") at(p.location, "cron", e.cron.name);
  }
  return lenses;
}

const stale: Command = { title: "…", command: "" };

/**
 * How lens titles are decorated: VS Code renders `$(name)` codicons (emoji render as empty boxes in its web build);
 * other clients (Neovim, Helix) show titles as plain text, so they get plain words.
 */
export type LensStyle = "codicons" | "plain";

const ICONS = { run: "play", call: "zap", debug: "debug-alt", publish: "mail", topic: "arrow-right", cron: "play" } as const;

/** The lens style for a client, from its `clientInfo.name` (VS Code and its builds: codicons). */
export function lensStyleFor(clientName: string | undefined): LensStyle {
  return clientName && /visual studio code|vs ?code|code - oss|vscodium|cursor|windsurf/i.test(clientName) ? "codicons" : "plain";
}

export function resolveCodeLens(root: AppRoot, lens: CodeLens, style: LensStyle = "plain"): CodeLens {
  const data = lens.data as LensData;
  const index = root.modelIndex();
  const command = commandFor(root, index, data);
  if (!command) return { ...lens, command: stale };
  const icon = ICONS[data.kind as keyof typeof ICONS];
  return { ...lens, command: style === "codicons" && icon && command.command ? { ...command, title: `$(${icon}) ${command.title}` } : command };
}

function commandFor(root: AppRoot, index: ModelIndex, data: LensData): Command | undefined {
  switch (data.kind) {
    case "run":
    case "call":
    case "debug": {
      const dot = data.key.indexOf(".");
      const found = index.endpoint(data.key.slice(0, dot), data.key.slice(dot + 1));
      if (!found) return undefined;
      const { endpoint, service } = found;
      const sample = endpoint.request ? sampleValue(endpoint.request) : null;
      const args: EndpointCommandArgs = {
        rootUri: root.uriString,
        service: service.name,
        endpoint: endpoint.name,
        method: endpoint.method[0] === "*" ? "POST" : (endpoint.method[0] ?? "POST"),
        methods: [...endpoint.method],
        path: endpoint.path,
        sampleRequest: sample && typeof sample === "object" && !Array.isArray(sample) ? (sample as Record<string, unknown>) : null,
      };
      if (data.kind === "run") return { title: "Run", command: ClientCommand.runEndpoint, arguments: [args] };
      if (data.kind === "call") return { title: "Call", command: ClientCommand.callEndpoint, arguments: [args] };
      return { title: "Debug", command: ClientCommand.debugEndpoint, arguments: [args] };
    }
    case "subscribers": {
      const topic = index.topics.get(data.key);
      if (!topic) return undefined;
      const n = topic.subscriptions.length;
      const title = `${n} subscriber${n === 1 ? "" : "s"}`;
      if (!n) return { title, command: "" };
      const args: ShowLocationsArgs = {
        uri: fileUri(root.uri, topic.location.file),
        position: range(topic.location.range).start,
        locations: topic.subscriptions.map((s) => location(root.uri, s.location)),
      };
      return { title, command: ClientCommand.showLocations, arguments: [args] };
    }
    case "publish": {
      const topic = index.topics.get(data.key);
      if (!topic) return undefined;
      const args: PublishMessageArgs = {
        rootUri: root.uriString,
        topic: topic.name,
        sampleMessage: topic.message ? sampleValue(topic.message) : null,
        subscribers: topic.subscriptions.length,
      };
      return { title: "Publish test message", command: ClientCommand.publishMessage, arguments: [args] };
    }
    case "topic": {
      const slash = data.key.indexOf("/");
      const topicName = data.key.slice(0, slash);
      const topic = index.topics.get(topicName);
      if (!topic) return { title: `topic ${topicName} (not found)`, command: "" };
      const sub = topic.subscriptions.find((s) => s.name === data.key.slice(slash + 1));
      const anchor = sub?.location ?? topic.location;
      const args: ShowLocationsArgs = {
        uri: fileUri(root.uri, anchor.file),
        position: range(anchor.range).start,
        locations: [location(root.uri, topic.location)],
      };
      return { title: `topic ${topic.name}`, command: ClientCommand.showLocations, arguments: [args] };
    }
    case "cron": {
      const cron = index.model.app.cronJobs.find((c) => c.name === data.key);
      if (!cron) return undefined;
      const args: RunCronJobArgs = { rootUri: root.uriString, name: cron.name, title: cron.title, endpoint: cron.endpoint };
      return { title: "Run now", command: ClientCommand.runCronJob, arguments: [args] };
    }
  }
}

/**
 * The `reprise.server.create` command (protocol `CreateCommand`): "New Service / Endpoint / Topic + Subscription /
 * Database / Cron Job / Bucket / Secret" for every LSP client. The analyser's `scaffold` writes the code and
 * checks the name with the same rules as rename; this module only reads the arguments and turns the result into
 * LSP shapes. Applying the edit (workspace/applyEdit) is the server class's job.
 */
import type { WorkspaceEdit } from "vscode-languageserver/node";
import type { CreateCommandArgs } from "@reprise/protocol";
import { scaffold, SCAFFOLD_KINDS, type ScaffoldFiles, type ScaffoldRequest } from "@reprise/analyzer";
import type { AppRoot } from "../app-root.js";
import { fileUri, range as toRange, workspaceEdit } from "../to-proto.js";

/** Typed refusal of a create command (bad arguments or a name that would be an error): an LSP RequestFailed error. */
export class CreateRefused extends Error {}

const optionalString = (v: unknown, field: string): string | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new CreateRefused(`'${field}' must be a string.`);
  return v;
};

/** Checks the command's one argument; throws CreateRefused naming the first bad field. */
export function readCreateArgs(arg: unknown): CreateCommandArgs {
  if (!arg || typeof arg !== "object" || Array.isArray(arg)) throw new CreateRefused("reprise.server.create takes one argument: an object { kind, name, service?, ... }.");
  const a = arg as Record<string, unknown>;
  if (typeof a.kind !== "string" || !(SCAFFOLD_KINDS as readonly string[]).includes(a.kind)) throw new CreateRefused(`'kind' must be one of ${SCAFFOLD_KINDS.join(", ")}.`);
  if (typeof a.name !== "string") throw new CreateRefused("'name' must be a string.");
  if (a.expose !== undefined && typeof a.expose !== "boolean") throw new CreateRefused("'expose' must be true or false.");
  if (a.apply !== undefined && typeof a.apply !== "boolean") throw new CreateRefused("'apply' must be true or false.");
  return {
    kind: a.kind as CreateCommandArgs["kind"],
    name: a.name,
    rootUri: optionalString(a.rootUri, "rootUri"),
    uri: optionalString(a.uri, "uri"),
    service: optionalString(a.service, "service"),
    method: optionalString(a.method, "method"),
    path: optionalString(a.path, "path"),
    expose: a.expose as boolean | undefined,
    subscription: optionalString(a.subscription, "subscription"),
    every: optionalString(a.every, "every"),
    schedule: optionalString(a.schedule, "schedule"),
    endpoint: optionalString(a.endpoint, "endpoint"),
    apply: a.apply as boolean | undefined,
  };
}

export interface PlannedCreate {
  title: string;
  edit: WorkspaceEdit;
  uri: string;
  range: ReturnType<typeof toRange>;
}

/** The workspace edit that creates what `args` asks for in `root`, or the problem with it. */
export function planCreate(root: AppRoot, args: CreateCommandArgs, files: ScaffoldFiles): PlannedCreate | { problem: string } {
  const request: ScaffoldRequest = {
    kind: args.kind, name: args.name, service: args.service, method: args.method, path: args.path, expose: args.expose,
    subscription: args.subscription, every: args.every, schedule: args.schedule, endpoint: args.endpoint,
  };
  const result = scaffold(root.analyzer.result.model.app, request, files);
  if (!result.ok) return { problem: result.problem };
  return { title: result.title, edit: workspaceEdit(root.uri, { edits: result.edits }), uri: fileUri(root.uri, result.file), range: toRange(result.range) };
}

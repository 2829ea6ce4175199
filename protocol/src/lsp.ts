/**
 * Custom LSP messages, all prefixed `reprise/`. Each is documented with its direction.
 * Sent only when the client advertises `experimental.reprise.appModel: true` in its capabilities.
 */
import type { AppModel } from "./app-model.js";
import type { Graph } from "./graph.js";

/** server → client notification, after every re-analysis of an app root. */
export const AppModelNotification = "reprise/appModel" as const;
export interface AppModelParams {
  /** URI of the app root folder. */
  rootUri: string;
  /** Monotonic per root; clients drop messages older than what they have shown. */
  generation: number;
  model: AppModel;
  graph: Graph;
}

/** client → server request: the current model + graph of one root (or of every root when rootUri is omitted). */
export const GraphRequest = "reprise/graph" as const;
export interface GraphRequestParams {
  rootUri?: string;
}
export type GraphRequestResult = AppModelParams[];

/**
 * Client-side commands that the server's code lenses carry (the client implements them; the server never
 * executes them). Each command receives exactly one argument of the type named beside it.
 */
export const ClientCommand = {
  /** EndpointCommandArgs: start the app (if needed) and open the endpoint in the API explorer. */
  runEndpoint: "reprise.runEndpoint",
  /** EndpointCommandArgs: send `sampleRequest` to the running app. */
  callEndpoint: "reprise.callEndpoint",
  /** EndpointCommandArgs: start the app under the debugger, then call the endpoint. */
  debugEndpoint: "reprise.debugEndpoint",
  /** ShowLocationsArgs: peek a list of locations (VS Code: `editor.action.showReferences` semantics). */
  showLocations: "reprise.showLocations",
  /** RunCronJobArgs: run the cron job once on the running app (the runtime's loopback admin route). */
  runCronJob: "reprise.runCronJob",
  /** PublishMessageArgs: let the user edit `sampleMessage`, then publish it to the topic on the running app. */
  publishMessage: "reprise.publishMessage",
} as const;

export interface EndpointCommandArgs {
  rootUri: string;
  service: string;
  endpoint: string;
  /** The method a call uses: the first declared one ("POST" for `"*"`). */
  method: string;
  /** Every declared method. */
  methods: string[];
  path: string;
  /** Request fields (path, query, header and body together, keyed by property name) with placeholder values. */
  sampleRequest: Record<string, unknown> | null;
}

export interface LspLocation {
  uri: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

export interface ShowLocationsArgs {
  /** Document and position the peek view is anchored at. */
  uri: string;
  position: { line: number; character: number };
  locations: LspLocation[];
}

export interface RunCronJobArgs {
  rootUri: string;
  name: string;
  title: string;
  endpoint: { service: string; name: string } | null;
}

export interface PublishMessageArgs {
  rootUri: string;
  topic: string;
  /** A message built from the topic's message schema with placeholder values (null when the schema is unknown). */
  sampleMessage: unknown;
  subscribers: number;
}

/** What each server code lens is about; echoed back in `CodeLensData.kind`. */
export type CodeLensKind = "run" | "call" | "debug" | "subscribers" | "publish" | "topic" | "cron";

/** The `data` of an unresolved server code lens (clients echo it back on resolve; kept small). */
export interface CodeLensData {
  /** App root URI. */
  root: string;
  kind: CodeLensKind;
  /** Endpoint "service.name", topic name, subscription "topic/name" or cron job name. */
  key: string;
}

/**
 * Lenses whose command acts on the running app (starts it, calls it, publishes to it). Clients hide them where
 * nothing may run, e.g. VS Code's restricted mode.
 */
export const RUNNING_APP_LENS_KINDS: readonly CodeLensKind[] = ["run", "call", "debug", "publish", "cron"];

/**
 * Server command (client → server `workspace/executeCommand`): create a piece of infrastructure. The one argument
 * is a CreateCommandArgs. With `apply` (the default) the server applies the edit itself (server → client
 * `workspace/applyEdit`, so Neovim and Helix get it through `execute_command`) and a refused name is an LSP
 * RequestFailed error naming the reason; with `apply: false` it returns the edit (or the problem) without applying
 * anything, which editors use to check a name as it is typed and to apply the edit themselves.
 */
export const CreateCommand = "reprise.server.create" as const;
export type CreateKind = "service" | "endpoint" | "topic" | "database" | "cron" | "bucket" | "secret";
export interface CreateCommandArgs {
  kind: CreateKind;
  name: string;
  /** The app root; default: the root holding `uri`, else the only root. */
  rootUri?: string;
  /** A document of the app (picks the root when `rootUri` is absent). */
  uri?: string;
  /** The service the resource goes into (every kind but service). */
  service?: string;
  /** endpoint: method (GET), path (`/<service>/<name>`), exposed (true). */
  method?: string;
  path?: string;
  expose?: boolean;
  /** topic: the subscription created with it (`<topic>-handler`). */
  subscription?: string;
  /** cron: `every` ("1h") or a 5-field `schedule`; an existing endpoint of the service to call (else one is created). */
  every?: string;
  schedule?: string;
  endpoint?: string;
  /** Apply the edit through workspace/applyEdit (default true). */
  apply?: boolean;
}
export type CreateCommandResult =
  | {
      ok: true;
      title: string;
      /** An LSP WorkspaceEdit (documentChanges: file creations, then the text edits of each file). */
      edit: unknown;
      /** Whether the client applied it (false when `apply: false`). */
      applied: boolean;
      /** The document holding the new declaration and its line, to reveal. */
      uri: string;
      range: LspLocation["range"];
    }
  | { ok: false; problem: string };

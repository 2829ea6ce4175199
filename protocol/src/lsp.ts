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

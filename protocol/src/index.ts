export * from "./app-model.js";
export * from "./graph.js";
export * from "./lsp.js";
export * from "./graph-build.js";
export * from "./mermaid.js";
export * from "./traces.js";
export * from "./admin.js";
export * from "./tool-routes.js";

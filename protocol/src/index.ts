export * from "./app-model.js";
export * from "./graph.js";
export * from "./lsp.js";

/** @reprise/webviews: the message contract and the pure helpers shared by the extension host and the webviews. */
export * from "./messages.js";
export * from "./request-template.js";
export * from "./request-params.js";
export * from "./html.js";
export * from "./traces/index.js";
export * from "./host.js";
export * from "./admin-client.js";
export * from "./data/messages.js";
export * from "./data/sql-assist.js";

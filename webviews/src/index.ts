/** @reprise/webviews: the message contract and the pure helpers shared by the extension host and the webviews. */
export * from "./messages.js";
export * from "./request-template.js";
export * from "./html.js";
export * from "./traces/index.js";

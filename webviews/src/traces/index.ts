/** The trace viewer's host-facing pieces: its messages, its page and its waterfall layout. */
export * from "./messages.js";
export * from "./page.js";
export * from "./layout.js";

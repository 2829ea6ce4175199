/**
 * @reprise/language-server: `startServer(connection?)` for embedding (the VS Code extension bundles this) and
 * the transport-free RepriseServer class. The runnable entry is dist/src/server.js.
 */
export { runServerProcess, startServer, createServerConnection, SERVER_NAME, SERVER_VERSION, WATCH_GLOB, type InitializationOptions } from "./connection.js";
export { processRole, runProcess, type ProcessRole } from "./process-role.js";
export { RepriseServer, type ServerHost, type ServerConfig, type LogLevel } from "./language-server.js";
export { parseSettings, defaultSettings, type Settings } from "./settings.js";
export { schemaToText } from "./schema-text.js";
export { sampleValue } from "@reprise/protocol";

#!/usr/bin/env node
/** Process entry: `node dist/src/server.js --stdio` (also --node-ipc / --socket=N, as vscode-languageserver parses them). */
import { startServer } from "./connection.js";

startServer();

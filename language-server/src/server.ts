#!/usr/bin/env node
/**
 * Process entry: `node dist/src/server.js --stdio` (also --node-ipc, --socket=N). With stdio or node-ipc the
 * editor talks to a supervisor that runs the server in a child process and restarts it if it dies (supervisor.ts).
 */
import { runProcess } from "./process-role.js";

await runProcess();

#!/usr/bin/env node
import("../dist/src/main.js").then((m) => m.main(process.argv.slice(2))).then(
  (code) => { if (typeof code === "number") process.exitCode = code; },
  (err) => { console.error(`reprise: internal error: ${err?.stack ?? err}`); process.exitCode = 2; },
);

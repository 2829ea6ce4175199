#!/usr/bin/env node
// Generates an Encore-style app of the shape of the speed anchors ("Parser"): per service one
// encore.service.ts, one types.ts with two interfaces (an item with a nested object, a union, a Date and array
// fields; a list response), seven endpoint files with two endpoints each (GET with a path param, POST; the first
// file calls the next service through ~encore/clients) and one file with a topic and a subscription — 10 files
// and 14 endpoints per service. Usage: node bench/gen-app.mjs <dir> <files>; or import { generateApp }.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export const FILES_PER_SERVICE = 10;
export const ENDPOINTS_PER_FILE = 2;
export const ENDPOINT_FILES = 7;

const svcName = (i) => `svc${String(i).padStart(3, "0")}`;

/** The app's files as { path, text } records (paths relative to the app root). */
export function appFiles(fileCount) {
  const services = Math.max(1, Math.round(fileCount / FILES_PER_SERVICE));
  const files = [{ path: "encore.app", text: JSON.stringify({ id: "bench-app" }, null, 2) + "\n" }];
  for (let s = 0; s < services; s++) {
    const name = svcName(s);
    const next = svcName((s + 1) % services);
    const Item = `Item${s}`;
    files.push({ path: `${name}/encore.service.ts`, text: `import { Service } from "encore.dev/service";\n\nexport default new Service("${name}");\n` });
    files.push({ path: `${name}/types.ts`, text: typesFile(Item) });
    for (let f = 1; f <= ENDPOINT_FILES; f++) files.push({ path: `${name}/ep${f}.ts`, text: endpointFile(name, next, Item, f, services > 1 && f === 1) });
    files.push({ path: `${name}/events.ts`, text: eventsFile(name, Item) });
  }
  return files;
}

export function typesFile(Item, variant = 0) {
  return `import { MinLen, MaxLen, Min } from "encore.dev/validate";

/** One stored ${Item}. */
export interface ${Item} {
  id: string;
  name: string & MinLen<1> & MaxLen<128>;
  owner: { id: string; email: string; tier: "free" | "pro" | "enterprise" };
  status: "active" | "archived" | "deleted";
  createdAt: Date;
  tags: string[];
  scores: (number & Min<0>)[];
  note?: string | null;${variant ? `\n  revision${variant}: number;` : ""}
}

export interface ${Item}List {
  items: ${Item}[];
  total: number;
  next: string | null;
}
`;
}

export function endpointFile(svc, next, Item, f, callsNext, variant = 0) {
  const clients = callsNext ? `import { ${next} } from "~encore/clients";\n` : "";
  const call = callsNext ? `    await ${next}.get${f}({ id: p.id });\n` : "";
  return `import { api, Header, Query } from "encore.dev/api";
${clients}import type { ${Item}, ${Item}List } from "./types";

interface Get${f}Params {
  id: string;
  fields?: Query<string[]>;
  trace?: Header<"X-Trace-Id">;
}

/** Returns one item by id. */
export const get${f} = api({ expose: true, method: "GET", path: "/${svc}/items${f}/:id" }, async (p: Get${f}Params): Promise<${Item}> => {
${call}    return { id: p.id } as ${Item};
});

interface Create${f}Request {
  name: string;
  tags: string[];
  limit${variant ? variant : ""}?: number;
}

/** Creates an item and returns the first page. */
export const create${f} = api({ expose: true, method: "POST", path: "/${svc}/items${f}" }, async (req: Create${f}Request): Promise<${Item}List> => {
  return { items: [], total: req.tags.length, next: null };
});
`;
}

function eventsFile(svc, Item) {
  return `import { Topic, Subscription } from "encore.dev/pubsub";
import type { ${Item} } from "./types";

export interface ${Item}Changed {
  item: ${Item};
  kind: "created" | "updated" | "deleted";
}

export const ${svc}Changes = new Topic<${Item}Changed>("${svc}-changes", { deliveryGuarantee: "at-least-once" });

export const _ = new Subscription(${svc}Changes, "${svc}-audit", {
  handler: async (event) => {
    void event;
  },
});
`;
}

/** Writes the app under dir; returns the number of files written. */
export function generateApp(dir, fileCount) {
  const files = appFiles(fileCount);
  for (const f of files) {
    const abs = join(dir, f.path);
    mkdirSync(join(abs, ".."), { recursive: true });
    writeFileSync(abs, f.text);
  }
  return files.length;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [dir, count] = process.argv.slice(2);
  if (!dir || !count) {
    console.error("usage: node bench/gen-app.mjs <dir> <files>");
    process.exit(2);
  }
  console.log(`wrote ${generateApp(dir, Number(count))} files to ${dir}`);
}

/**
 * toMermaid: the architecture graph as mermaid flowchart text. Pure and DOM-free so the CLI (`reprise graph
 * --format mermaid`), the language server and the diagram webview produce byte-identical diagrams, and so it can
 * be snapshot-tested. Any user-chosen name is safe: node ids are generated from a restricted alphabet (never a
 * mermaid keyword such as `end`), and labels are always quoted with `"`, `#`, `<`, `>`, `&` and backticks written
 * as mermaid entity codes.
 *
 * Mapping SVG nodes back to graph nodes: mermaid's `securityLevel: 'strict'` disables `click` callbacks, so
 * instead `toMermaidDiagram` returns the id table (mermaid id → graph node id). Mermaid renders each node as
 * `<g id="<renderId>-flowchart-<mermaidId>-<n>">` (mermaid 12; some renderers also set `data-id`); the webview
 * looks the id up in this table.
 */
import type { Graph, GraphEdge, GraphNode, GraphNodeKind } from "./graph.js";

export interface MermaidOptions {
  /** Flowchart direction; left-to-right by default. */
  direction?: "LR" | "RL" | "TB" | "BT";
  /** Emit `classDef` styling per node kind (default true). The webview overrides colours from the theme. */
  classes?: boolean;
}

export interface MermaidDiagram {
  text: string;
  /** mermaid node id → graph node id. */
  ids: Record<string, string>;
}

const ID_PREFIX: Record<GraphNodeKind, string> = {
  service: "svc_",
  database: "db_",
  topic: "topic_",
  cron: "cron_",
  bucket: "bucket_",
  gateway: "gw_",
};

/** Shapes chosen so kinds are told apart without colour: [open, close] around the quoted label. */
const SHAPE: Record<GraphNodeKind, [string, string]> = {
  service: ["[", "]"],
  database: ["[(", ")]"],
  topic: ["{{", "}}"],
  cron: ["([", "])"],
  bucket: ["[/", "/]"],
  gateway: ["[[", "]]"],
};

const CLASS_DEFS: Record<GraphNodeKind, string> = {
  service: "fill:#e8f1fb,stroke:#2f6fb5,color:#0b2540",
  database: "fill:#eaf6ec,stroke:#2e7d32,color:#0d2b10",
  topic: "fill:#fff4e0,stroke:#c77700,color:#3b2500",
  cron: "fill:#f3e9fb,stroke:#7b3fb5,color:#2a0f40",
  bucket: "fill:#e6f7f7,stroke:#00838f,color:#002b2f",
  gateway: "fill:#fdecea,stroke:#c62828,color:#3b0b0b",
};

export function toMermaid(graph: Graph, opts: MermaidOptions = {}): string {
  return toMermaidDiagram(graph, opts).text;
}

export function toMermaidDiagram(graph: Graph, opts: MermaidOptions = {}): MermaidDiagram {
  const ids = mermaidNodeIds(graph.nodes);
  const byGraphId = new Map<string, string>();
  for (const [mid, gid] of Object.entries(ids)) byGraphId.set(gid, mid);

  const lines: string[] = [`flowchart ${opts.direction ?? "LR"}`];
  if (graph.nodes.length === 0) {
    lines.push(`  empty["${escapeLabel("No services found")}"]`);
    return { text: lines.join("\n") + "\n", ids: {} };
  }
  for (const node of graph.nodes) {
    const [open, close] = SHAPE[node.kind];
    lines.push(`  ${byGraphId.get(node.id)}${open}"${escapeLabel(nodeText(node))}"${close}`);
  }
  for (const edge of graph.edges) {
    const from = byGraphId.get(edge.from);
    const to = byGraphId.get(edge.to);
    if (!from || !to) continue; // an edge to a node that isn't in the graph: nothing to draw
    lines.push(`  ${from} ${arrow(edge)} ${to}`);
  }
  if (opts.classes !== false) {
    const used = new Set(graph.nodes.map((n) => n.kind));
    for (const kind of Object.keys(CLASS_DEFS) as GraphNodeKind[]) {
      if (!used.has(kind)) continue;
      lines.push(`  classDef ${kind}Node ${CLASS_DEFS[kind]}`);
      const members = graph.nodes.filter((n) => n.kind === kind).map((n) => byGraphId.get(n.id));
      lines.push(`  class ${members.join(",")} ${kind}Node`);
    }
  }
  return { text: lines.join("\n") + "\n", ids };
}

/** Deterministic, collision-free mermaid ids: kind prefix + the name reduced to [A-Za-z0-9_]. */
export function mermaidNodeIds(nodes: readonly GraphNode[]): Record<string, string> {
  const out: Record<string, string> = {};
  const taken = new Set<string>();
  for (const node of nodes) {
    const name = node.id.slice(node.id.indexOf(":") + 1);
    const base = ID_PREFIX[node.kind] + (name.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "") || "x");
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
    taken.add(id);
    out[id] = node.id;
  }
  return out;
}

function nodeText(node: GraphNode): string {
  // No emoji markers: webviews and CI browsers often lack an emoji font; shapes tell kinds apart.
  return node.label;
}

function arrow(edge: GraphEdge): string {
  const label = edge.label ? `|"${escapeLabel(edge.label)}"|` : "";
  switch (edge.kind) {
    case "publish":
    case "subscribe":
      return `-.->${label}`;
    case "cron":
      return `-.->${label}`;
    case "database":
    case "bucket":
      return `---${label}`;
    case "auth":
      return `==>${label}`;
    case "rpc":
    default:
      return `-->${label}`;
  }
}

/**
 * Text safe inside a double-quoted mermaid label. Mermaid decodes `#name;` / `#123;` entity codes after parsing,
 * so every character that could end the string, start markup or start an entity is written as one. Line breaks
 * become spaces (a label is one line).
 */
export function escapeLabel(text: string): string {
  return text
    .replace(/[\r\n\t]+/g, " ")
    .replace(/[#"<>&`\\|{}[\]()]/g, (ch) => `#${ch.codePointAt(0)};`);
}

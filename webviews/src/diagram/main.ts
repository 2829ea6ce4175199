/**
 * Architecture diagram webview. Dumb on purpose: it receives the graph, turns it into mermaid text with the
 * shared pure toMermaidDiagram, renders into a fresh SVG and swaps it in only once rendering succeeded (so typing
 * never flickers and a broken intermediate model keeps the last good picture). Node clicks are mapped back to
 * graph node ids through the id table and posted to the host, which reveals the declaration.
 */
import type { Mermaid } from "mermaid";
import { toMermaidDiagram } from "@reprise/protocol";
import type { DiagramState, DiagramToHost, HostToDiagram } from "../messages.js";
import { isDarkTheme } from "../vscode-webview.js";
import { pageHost } from "../host.js";

declare const mermaid: Mermaid;

// VS Code's webview API, or the browser dashboard's host (webviews/src/dashboard/main.ts).
const vscode = pageHost<DiagramState, DiagramToHost, HostToDiagram>();
const state: DiagramState = { rootUri: null, zoom: 1, panX: 0, panY: 0, ...vscode.getState() };
const viewport = document.getElementById("viewport") as HTMLDivElement;
const canvas = document.getElementById("canvas") as HTMLDivElement;
const statusEl = document.getElementById("status") as HTMLSpanElement;
const errorEl = document.getElementById("error") as HTMLDivElement;

let last: Extract<HostToDiagram, { type: "graph" }> | null = null;
let renderCount = 0;
let renderQueue: Promise<void> = Promise.resolve();
let appliedTheme: boolean | null = null;

function initMermaid(dark: boolean): void {
  mermaid.initialize({
    startOnLoad: false,
    securityLevel: "strict",
    theme: dark ? "dark" : "default",
    flowchart: { useMaxWidth: false, htmlLabels: false },
    fontFamily: "var(--vscode-font-family)",
  });
  appliedTheme = dark;
}

async function render(msg: Extract<HostToDiagram, { type: "graph" }>): Promise<void> {
  const dark = isDarkTheme();
  if (appliedTheme !== dark) initMermaid(dark);
  const { text, ids } = toMermaidDiagram(msg.graph);
  const renderId = `reprise-diagram-${++renderCount}`;
  try {
    const { svg } = await mermaid.render(renderId, text);
    const next = document.createElement("div");
    next.className = "diagram";
    next.innerHTML = svg; // mermaid's own output, sanitised under securityLevel 'strict'
    const svgEl = next.querySelector("svg");
    if (svgEl) svgEl.removeAttribute("style");
    for (const g of next.querySelectorAll<SVGGElement>("g.node")) {
      const mid = mermaidIdOf(g);
      const nodeId = mid ? ids[mid] : undefined;
      if (!nodeId) continue;
      g.dataset.nodeId = nodeId;
      g.setAttribute("tabindex", "0");
      g.setAttribute("role", "button");
      g.classList.add("reprise-node");
    }
    canvas.replaceChildren(next);
    errorEl.hidden = true;
    statusEl.textContent = `${msg.appName} · ${msg.graph.nodes.filter((n) => n.kind === "service").length} services` +
      (msg.problems ? ` · ${msg.problems} problem${msg.problems === 1 ? "" : "s"}` : "");
    if (!state.manual) fit();
    else applyTransform();
    vscode.postMessage({ type: "rendered", generation: msg.generation, nodeIds: [...next.querySelectorAll<SVGGElement>("g.reprise-node")].map((g) => g.dataset.nodeId!) });
  } catch (e) {
    document.getElementById(`d${renderId}`)?.remove(); // mermaid leaves its scratch element behind on errors
    errorEl.hidden = false;
    errorEl.textContent = `Could not draw the diagram: ${e instanceof Error ? e.message : String(e)}`;
    vscode.postMessage({ type: "renderError", generation: msg.generation, message: String(e) });
  }
}

/** Mermaid 12 names node groups "<renderId>-flowchart-<id>-<n>" (older: "flowchart-<id>-<n>"; some renderers add data-id). */
function mermaidIdOf(g: Element): string | null {
  const dataId = g.getAttribute("data-id");
  if (dataId) return dataId;
  const m = /(?:^|-)flowchart-([A-Za-z0-9_]+)-\d+$/.exec(g.id);
  return m ? m[1] : null;
}

function schedule(msg: Extract<HostToDiagram, { type: "graph" }>): void {
  last = msg;
  // Renders are serialised; a burst of updates renders only the newest.
  renderQueue = renderQueue.then(() => (last === msg ? render(msg) : undefined));
}

vscode.onMessage((msg) => {
  if (msg.type === "graph") {
    if (last && last.rootUri === msg.rootUri && msg.generation < last.generation) return; // stale
    if (state.rootUri !== msg.rootUri) { state.rootUri = msg.rootUri; save(); }
    schedule(msg);
  } else if (msg.type === "noApp") {
    statusEl.textContent = msg.reason;
  }
});

// ---- clicks → reveal ----
canvas.addEventListener("click", (e) => {
  if (dragged) return;
  const g = (e.target as Element).closest<SVGGElement>("g.reprise-node");
  if (g?.dataset.nodeId && state.rootUri) vscode.postMessage({ type: "reveal", rootUri: state.rootUri, nodeId: g.dataset.nodeId });
});
canvas.addEventListener("keydown", (e) => {
  const g = (e.target as Element).closest<SVGGElement>("g.reprise-node");
  if ((e.key === "Enter" || e.key === " ") && g?.dataset.nodeId && state.rootUri) {
    vscode.postMessage({ type: "reveal", rootUri: state.rootUri, nodeId: g.dataset.nodeId });
  }
});

// ---- zoom / pan ----
let dragStart: { x: number; y: number; panX: number; panY: number } | null = null;
let dragged = false;
function applyTransform(): void {
  canvas.style.transform = `translate(${state.panX}px, ${state.panY}px) scale(${state.zoom})`;
}
/** Scales the diagram to fit the panel (never above 1:1) and centres it. */
function fit(): void {
  const svg = canvas.querySelector("svg");
  if (!svg) return applyTransform();
  state.zoom = 1; state.panX = 0; state.panY = 0;
  applyTransform();
  const w = canvas.offsetWidth;
  const h = canvas.offsetHeight;
  const vw = viewport.clientWidth;
  const vh = viewport.clientHeight;
  if (!w || !h || !vw || !vh) return;
  state.zoom = Math.min(1, vw / w, vh / h);
  state.panX = Math.max(0, (vw - w * state.zoom) / 2);
  state.panY = Math.max(0, (vh - h * state.zoom) / 2);
  applyTransform();
  save();
}
function save(): void {
  vscode.setState(state);
}
function zoomBy(factor: number, cx = viewport.clientWidth / 2, cy = viewport.clientHeight / 2): void {
  const zoom = Math.min(5, Math.max(0.1, state.zoom * factor));
  state.panX = cx - ((cx - state.panX) * zoom) / state.zoom;
  state.panY = cy - ((cy - state.panY) * zoom) / state.zoom;
  state.zoom = zoom;
  state.manual = true;
  applyTransform();
  save();
}
viewport.addEventListener("wheel", (e) => {
  e.preventDefault();
  const r = viewport.getBoundingClientRect();
  zoomBy(Math.exp(-e.deltaY / 300), e.clientX - r.left, e.clientY - r.top);
}, { passive: false });
viewport.addEventListener("pointerdown", (e) => {
  dragStart = { x: e.clientX, y: e.clientY, panX: state.panX, panY: state.panY };
  dragged = false;
});
window.addEventListener("pointermove", (e) => {
  if (!dragStart) return;
  const dx = e.clientX - dragStart.x;
  const dy = e.clientY - dragStart.y;
  if (Math.abs(dx) + Math.abs(dy) > 3) dragged = true;
  if (!dragged) return;
  state.manual = true;
  state.panX = dragStart.panX + dx;
  state.panY = dragStart.panY + dy;
  applyTransform();
});
window.addEventListener("pointerup", () => {
  if (dragStart && dragged) save();
  dragStart = null;
  setTimeout(() => (dragged = false), 0); // let the click that ends a drag see `dragged`
});
document.getElementById("zoom-in")!.addEventListener("click", () => zoomBy(1.25));
document.getElementById("zoom-out")!.addEventListener("click", () => zoomBy(0.8));
document.getElementById("zoom-reset")!.addEventListener("click", () => {
  state.zoom = 1; state.panX = 0; state.panY = 0; state.manual = true; applyTransform(); save();
});
document.getElementById("zoom-fit")!.addEventListener("click", () => {
  state.manual = false;
  fit();
});
window.addEventListener("resize", () => {
  if (!state.manual) fit();
});

// ---- theme: VS Code swaps the body class; re-render with the matching mermaid theme ----
new MutationObserver(() => {
  if (last && appliedTheme !== isDarkTheme()) schedule(last);
}).observe(document.body, { attributes: true, attributeFilter: ["class"] });

applyTransform();
vscode.postMessage({ type: "ready", state: vscode.getState() ?? null });

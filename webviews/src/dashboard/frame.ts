/**
 * Runs first in each framed data page of the browser dashboard: the page's target comes from the frame's address
 * (`?target=<json>`: a data page's target, or `{"page":"traces"}` / `{"page":"diagram"}`), its Host from the dashboard shell that framed it (same origin; main.ts). Opened on its own,
 * outside the dashboard, it says so instead of falling back to VS Code's API.
 */
import type { DataTarget } from "../data/messages.js";

type FrameTarget = DataTarget | { page: "traces" } | { page: "diagram" } | { page: "explorer"; service: string; endpoint: string };
const shell = (window.parent !== window ? (window.parent as Window & { repriseDashboard?: { hostFor(t: FrameTarget): unknown } }).repriseDashboard : undefined);
const raw = new URLSearchParams(location.search).get("target");
if (!shell || !raw) {
  document.body.textContent = "This page runs inside the Reprise dashboard (/__reprise/).";
  throw new Error("not inside the dashboard");
}
window.repriseHost = shell.hostFor(JSON.parse(raw) as FrameTarget);

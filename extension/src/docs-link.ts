/**
 * A diagnostic's docs link (LSP codeDescription.href: the `file://` URI of docs/diagnostics/RPxxxx.md) opens in
 * VS Code's Markdown preview. VS Code opens a diagnostic's code link (Problems view and hover) with command URIs
 * allowed, so client.ts's middleware turns the link into a `command:reprise.openDiagnosticDocs` link. Kept apart
 * from client.ts so the command (registered at activation) does not load the language client.
 */
import * as vscode from "vscode";

export const OPEN_DOCS_COMMAND = "reprise.openDiagnosticDocs";

/**
 * The `command:` URI that opens a docs page in the Markdown preview. VS Code opens a diagnostic's code link
 * (Problems view and hover) with command URIs allowed, so the link can run `reprise.openDiagnosticDocs`.
 */
export function docsCommandUri(page: vscode.Uri): vscode.Uri {
  return vscode.Uri.parse(`command:${OPEN_DOCS_COMMAND}?${encodeURIComponent(JSON.stringify([page.toString()]))}`);
}

/** The diagnostic with its `.md` docs link turned into a command link (other diagnostics unchanged). */
export function withPreviewLink(d: vscode.Diagnostic): vscode.Diagnostic {
  const code = d.code;
  if (!code || typeof code !== "object" || code.target.scheme !== "file" || !code.target.path.endsWith(".md")) return d;
  d.code = { value: code.value, target: docsCommandUri(code.target) };
  return d;
}

/** `reprise.openDiagnosticDocs`: a docs page (file URI string) in the Markdown preview; as text if there is none. */
export async function openDiagnosticDocs(page: unknown): Promise<void> {
  if (typeof page !== "string") return;
  const uri = vscode.Uri.parse(page);
  if (uri.scheme !== "file" || !uri.path.endsWith(".md")) return;
  try {
    await vscode.commands.executeCommand("markdown.showPreview", uri);
  } catch {
    await vscode.commands.executeCommand("vscode.open", uri);
  }
}

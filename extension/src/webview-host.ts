/** What both webview panels share: the page HTML with a fresh nonce and resource URIs under dist/media. */
import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import { apiExplorerPage, diagramPage, makeNonce } from "@reprise/webviews";

export function mediaRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, "dist", "media");
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return { enableScripts: true, localResourceRoots: [mediaRoot(extensionUri)], enableFindWidget: true };
}

export function pageHtml(kind: "diagram" | "api-explorer", webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const media = mediaRoot(extensionUri);
  const uri = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(media, file)).toString();
  const resources = {
    cspSource: webview.cspSource,
    nonce: makeNonce((n) => randomBytes(n)),
    style: uri(`${kind}.css`),
    scripts: kind === "diagram" ? [uri("mermaid.min.js"), uri("diagram.js")] : [uri("api-explorer.js")],
    title: kind === "diagram" ? "Reprise architecture" : "Reprise API explorer",
  };
  return kind === "diagram" ? diagramPage(resources) : apiExplorerPage(resources);
}

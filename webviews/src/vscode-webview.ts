/** The webview side of VS Code's webview API, typed once for both webview scripts. */
export interface WebviewApi<State, Out> {
  postMessage(message: Out): void;
  getState(): State | undefined;
  setState(state: State): void;
}
declare function acquireVsCodeApi<State, Out>(): WebviewApi<State, Out>;
export function vscodeApi<State, Out>(): WebviewApi<State, Out> {
  return acquireVsCodeApi<State, Out>();
}
/** VS Code puts one of these classes on <body> and swaps it when the colour theme changes. */
export function isDarkTheme(): boolean {
  const c = document.body.classList;
  return c.contains("vscode-dark") || c.contains("vscode-high-contrast") && !c.contains("vscode-high-contrast-light");
}

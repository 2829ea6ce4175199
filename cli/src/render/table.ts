/**
 * The CLI's one table formatter: columns padded to their widest cell and separated by two spaces, the last column
 * left unpadded (it may be long free text), an optional header row and indent.
 */
export interface TableOptions {
  /** Prefix of every line (e.g. two spaces under a heading). */
  indent?: string;
  /** Strip trailing spaces of each line (default true). */
  trimEnd?: boolean;
}

export function formatTable(header: readonly string[] | null, rows: readonly (readonly string[])[], options: TableOptions = {}): string {
  const all = header ? [header, ...rows] : rows;
  if (all.length === 0) return "";
  const columns = Math.max(...all.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, i) => Math.max(0, ...all.map((r) => (r[i] ?? "").length)));
  const indent = options.indent ?? "";
  const line = (r: readonly string[]) => {
    const text = indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
    return options.trimEnd === false ? text : text.trimEnd();
  };
  return all.map(line).join("\n");
}

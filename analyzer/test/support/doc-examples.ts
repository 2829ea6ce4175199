/** The default wrong example of each code for its docs page: the files (and options) of its most focused `.cases` case. */
import type { AnalyzerOptions } from "../../src/index.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadCases, PACKAGE_DIR, parseCases } from "./check.js";

/** The SQL codes' cases (RP41xx), in the same format, from the sqlcheck package. */
export const SQL_CASES = join(PACKAGE_DIR, "..", "sqlcheck", "test", "cases", "sql.cases");

export interface CaseExample {
  files: Record<string, string>;
  options?: AnalyzerOptions;
}

export function caseExamples(): Map<string, CaseExample> {
  const out = new Map<string, CaseExample>();
  const size = new Map<string, number>();
  for (const c of [...loadCases(), ...parseCases("sql.cases", readFileSync(SQL_CASES, "utf8"))]) {
    // The most focused case of each code: the one reporting the fewest diagnostics (the first among equals).
    for (const e of c.expected) {
      if ((size.get(e.code) ?? Infinity) <= c.expected.length) continue;
      size.set(e.code, c.expected.length);
      // The implicit encore.app the case loader adds is left out of the page.
      // `//` lines in .sql files are expectations, not SQL: the page shows the file as it is checked.
      const files = Object.fromEntries(
        c.files
          .filter((f) => !(f.path === "encore.app" && f.text === '{ "id": "cases" }'))
          .map((f) => [f.path, f.path.endsWith(".sql") ? f.text.split("\n").filter((l) => !/^\s*\/\//.test(l)).join("\n") : f.text]),
      );
      out.set(e.code, { files, options: c.options });
    }
  }
  return out;
}

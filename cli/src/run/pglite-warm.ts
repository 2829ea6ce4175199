/** Worker entry (watch mode): builds the PGlite template off the main thread; see warmPGliteTemplate in serve.ts. */
import { ensurePGliteTemplate } from "reprise/internal/pglite-template";

await ensurePGliteTemplate();

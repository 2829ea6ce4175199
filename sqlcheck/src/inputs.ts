/** From the app model to the checker's inputs: each database with migrations, its up migrations in order. */
import type { AppModel } from "@reprise/protocol";
import type { DatabaseInput } from "./checker.js";
import { productionPostgresVersion } from "./versions.js";

/** The Postgres major version the embedded checker (PGlite 0.5.x) implements. */
export const POSTGRES_VERSION = "18";

/**
 * Databases without migration files are left out: their schema is unknown (e.g. managed elsewhere), so their
 * queries are not checked rather than reported against an empty database.
 */
export function sqlInputsOf(model: AppModel, read: (path: string) => string | undefined): DatabaseInput[] {
  const out: DatabaseInput[] = [];
  // The runtime config the app runs with (the first of these the runtime finds), for the production version.
  const tryRead = (p: string) => {
    try {
      return read(p);
    } catch {
      return undefined;
    }
  };
  const postgresVersion = productionPostgresVersion(tryRead("reprise.config.json") ?? tryRead("infra.config.json"));
  for (const db of model.app.databases) {
    if (db.migrations.files.length === 0) continue;
    const migrations = db.migrations.files.map((m) => ({ file: m.file, text: read(m.file) ?? "" }));
    out.push({ name: db.name, migrations, postgresVersion });
  }
  return out;
}

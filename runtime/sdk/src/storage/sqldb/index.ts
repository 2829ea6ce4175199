/**
 * `reprise/storage/sqldb`, the mirror of `encore.dev/storage/sqldb`: declare a database with
 * `new SQLDatabase(name, { migrations: "./migrations" })`, query it with tagged templates.
 */
export { SQLDatabase, Transaction, Connection, migrateDatabase, serveEmbeddedDatabases } from "./database.js";
export type { SQLDatabaseConfig, SQLMigrationsConfig, Primitive, Row, ResultRow } from "./database.js";

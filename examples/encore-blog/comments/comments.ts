import { api } from "encore.dev/api";
import { Topic, Subscription } from "encore.dev/pubsub";
import type { MaxLen, MinLen } from "encore.dev/validate";
import log from "encore.dev/log";
import { posts } from "~encore/clients";

export interface CommentAdded {
  postSlug: string;
  author: string;
  text: string;
}

export const commentAdded = new Topic<CommentAdded>("comment-added", { deliveryGuarantee: "at-least-once" });

interface AddComment {
  slug: string;
  author: string & MinLen<1> & MaxLen<80>;
  text: string & MinLen<1> & MaxLen<2000>;
}

/** Adds a comment to a published post; moderation happens in the background. */
export const add = api(
  { method: "POST", path: "/posts/:slug/comments", expose: true },
  async ({ slug, author, text }: AddComment): Promise<{ queued: boolean }> => {
    await posts.get({ slug });
    await commentAdded.publish({ postSlug: slug, author, text });
    return { queued: true };
  },
);

const _ = new Subscription(commentAdded, "moderate", {
  handler: async (event) => {
    log.info("moderating comment", { post: event.postSlug, length: event.text.length });
  },
});

interface LiveComment {
  author: string;
  text: string;
}

/** A live comment room per post over a WebSocket. */
export const live = api.streamInOut<{ slug: string }, LiveComment, LiveComment>(
  { path: "/posts/:slug/live", expose: true },
  async (handshake, stream) => {
    for await (const c of stream) await stream.send({ author: c.author, text: `[${handshake.slug}] ${c.text}` });
  },
);

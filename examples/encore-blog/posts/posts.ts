import { api, APIError, type Query } from "encore.dev/api";
import type { MaxLen, MinLen, MatchesRegexp } from "encore.dev/validate";
import { getAuthData } from "~encore/auth";
import { db } from "./db";

export interface Post {
  slug: string;
  title: string;
  body: string;
  authorId: string;
  publishedAt: Date | null;
}

interface PostRow {
  slug: string;
  title: string;
  body: string;
  author_id: string;
  published_at: Date | null;
}

const toPost = (r: PostRow): Post => ({ slug: r.slug, title: r.title, body: r.body, authorId: r.author_id, publishedAt: r.published_at });

/** Lists published posts, newest first. */
export const list = api(
  { method: "GET", path: "/posts", expose: true },
  async ({ limit }: { limit?: Query<number> }): Promise<{ posts: Post[] }> => {
    const rows = await db.queryAll<PostRow>`SELECT * FROM posts WHERE published_at IS NOT NULL ORDER BY published_at DESC LIMIT ${limit ?? 10}`;
    return { posts: rows.map(toPost) };
  },
);

/** Reads one post. */
export const get = api(
  { method: "GET", path: "/posts/:slug", expose: true },
  async ({ slug }: { slug: string }): Promise<Post> => {
    const row = await db.queryRow<PostRow>`SELECT * FROM posts WHERE slug = ${slug}`;
    if (!row) throw APIError.notFound("post not found");
    return toPost(row);
  },
);

interface SavePost {
  slug: string & MatchesRegexp<"^[a-z0-9-]+$">;
  title: string & MinLen<1> & MaxLen<200>;
  body: string;
  publish?: boolean;
}

/** Creates or updates a post as the signed-in author. */
export const save = api(
  { method: ["PUT", "POST"], path: "/posts/:slug", expose: true, auth: true, bodyLimit: 1024 * 1024, tags: ["authoring"] },
  async (req: SavePost): Promise<Post> => {
    const author = getAuthData()!;
    const row = await db.queryRow<PostRow>`
      INSERT INTO posts (slug, title, body, author_id, published_at)
      VALUES (${req.slug}, ${req.title}, ${req.body}, ${author.userID}, ${req.publish ? new Date() : null})
      ON CONFLICT (slug) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body, published_at = EXCLUDED.published_at
      RETURNING *`;
    return toPost(row!);
  },
);

/** Deletes a post; its comments go with it. */
export const remove = api(
  { method: "DELETE", path: "/posts/:slug", expose: true, auth: true, sensitive: true },
  async ({ slug }: { slug: string }): Promise<void> => {
    await db.exec`DELETE FROM posts WHERE slug = ${slug}`;
  },
);

/** Posts published in the last day, for the newsletter (private). */
export const recent = api({ method: "GET", path: "/posts/recent" }, async (): Promise<{ posts: Post[] }> => {
  const rows = await db.queryAll<PostRow>`SELECT * FROM posts WHERE published_at > now() - interval '1 day'`;
  return { posts: rows.map(toPost) };
});

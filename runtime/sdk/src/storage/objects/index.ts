/**
 * `reprise/storage/objects`, the mirror of `encore.dev/storage/objects`: `new Bucket(name, { public })` with
 * upload, download, list, exists, attrs, remove, signed URLs (S3 provider) and public URLs (public buckets).
 * Files live under `.reprise/buckets/<name>/` by default; keys that would escape the bucket are rejected.
 */
import { native, nativeCode } from "../../config/native.js";
import { ensureProviders } from "../../config/infra.js";
import { recordSpan, SpanKind, spanStart, tracedHandle } from "../../internal/tracing.js";

export class ObjectsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ObjectsError";
  }
}
export class ObjectNotFound extends ObjectsError {
  constructor(message: string) {
    super("NotFound", message);
    this.name = "ObjectNotFound";
  }
}
export class PreconditionFailed extends ObjectsError {
  constructor(message: string) {
    super("PreconditionFailed", message);
    this.name = "PreconditionFailed";
  }
}
export class InvalidObjectKey extends ObjectsError {
  constructor(message: string) {
    super("InvalidKey", message);
    this.name = "InvalidObjectKey";
  }
}

function mapError(e: unknown): Error {
  const { code, message } = nativeCode(e);
  if (code === "NotFound") return new ObjectNotFound(message);
  if (code === "PreconditionFailed") return new PreconditionFailed(message);
  if (code === "InvalidKey") return new InvalidObjectKey(message);
  return new ObjectsError(code, message);
}

/** Runs one provider call; inside a traced request it is a bucket span (bucket, operation, object key). */
async function call<T>(fn: () => Promise<T> | T, span?: [bucket: string, operation: string, key: string]): Promise<T> {
  await ensureProviders();
  const handle = span ? tracedHandle() : 0;
  const t0 = handle ? spanStart() : 0;
  try {
    const v = await fn();
    if (handle) recordSpan(handle, SpanKind.Bucket, span![0], span![1], span![2], 0, t0);
    return v;
  } catch (e) {
    const err = mapError(e);
    if (handle) recordSpan(handle, SpanKind.Bucket, span![0], span![1], span![2], 0, t0, err);
    throw err;
  }
}

export interface BucketConfig {
  public?: boolean;
  versioned?: boolean;
}
export interface ObjectAttrs {
  name: string;
  size: number;
  etag: string;
  contentType?: string;
  version?: string;
}
export interface ListEntry {
  name: string;
  size: number;
  etag: string;
}
export interface UploadOptions {
  contentType?: string;
  preconditions?: { notExists?: boolean };
}

/** encore.dev's option and result types of the bucket methods. */
export interface ListOptions {
  prefix?: string;
  limit?: number;
}
export interface AttrsOptions {
  version?: string;
}
export interface ExistsOptions {
  version?: string;
}
export interface DeleteOptions {
  version?: string;
}
export interface DownloadOptions {
  version?: string;
}
export interface UploadUrlOptions {
  /** Seconds the URL is valid for. */
  ttl?: number;
}
export interface DownloadUrlOptions {
  /** Seconds the URL is valid for. */
  ttl?: number;
}
export interface SignedUploadUrl {
  url: string;
}
export interface SignedDownloadUrl {
  url: string;
}
export type BucketPerms = Lister & Attrser & Uploader & Downloader & Remover & SignedUploader & SignedDownloader & PublicUrler;

export type Lister = Pick<Bucket, "list">;
export type Attrser = Pick<Bucket, "attrs" | "exists">;
export type Uploader = Pick<Bucket, "upload">;
export type Downloader = Pick<Bucket, "download">;
export type Remover = Pick<Bucket, "remove">;
export type SignedUploader = Pick<Bucket, "signedUploadUrl">;
export type SignedDownloader = Pick<Bucket, "signedDownloadUrl">;
export type PublicUrler = Pick<Bucket, "publicUrl">;
export type ReadWriter = Lister & Attrser & Uploader & Downloader & Remover & SignedUploader & SignedDownloader;

const attrs = (json: string): ObjectAttrs => {
  const a = JSON.parse(json) as { name: string; size: number; etag: string; contentType: string | null; version: string | null };
  return { name: a.name, size: a.size, etag: a.etag, ...(a.contentType ? { contentType: a.contentType } : {}), ...(a.version ? { version: a.version } : {}) };
};

export class Bucket {
  readonly name: string;
  readonly public: boolean;

  constructor(name: string, cfg: BucketConfig = {}) {
    if (!/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) {
      throw new TypeError(`Bucket "${name}": names are 1-63 lowercase letters, digits and dashes, starting with a letter`);
    }
    this.name = name;
    this.public = cfg.public ?? false;
  }

  static named(name: string): Bucket {
    return new Bucket(name);
  }

  ref<P>(): P {
    return this as unknown as P;
  }

  upload(key: string, data: Buffer | Uint8Array, opts: UploadOptions = {}): Promise<ObjectAttrs> {
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data);
    return call(async () => attrs(await native().infraBucketUpload(this.name, this.public, key, buf, opts.contentType, opts.preconditions?.notExists ?? false)), [this.name, "upload", key]);
  }

  download(key: string): Promise<Buffer> {
    return call(() => native().infraBucketDownload(this.name, this.public, key), [this.name, "download", key]);
  }

  async *list(opts: { prefix?: string; limit?: number } = {}): AsyncGenerator<ListEntry> {
    const entries = await call(async () => JSON.parse(await native().infraBucketList(this.name, this.public, opts.prefix, opts.limit)) as ListEntry[], [this.name, "list", opts.prefix ?? ""]);
    yield* entries;
  }

  exists(key: string): Promise<boolean> {
    return call(() => native().infraBucketExists(this.name, this.public, key), [this.name, "exists", key]);
  }

  attrs(key: string): Promise<ObjectAttrs> {
    return call(async () => attrs(await native().infraBucketAttrs(this.name, this.public, key)), [this.name, "attrs", key]);
  }

  remove(key: string): Promise<void> {
    return call(() => native().infraBucketRemove(this.name, this.public, key), [this.name, "remove", key]);
  }

  /** ttl in seconds (default 1 hour, at most 7 days). */
  async signedUploadUrl(key: string, opts: { ttl?: number } = {}): Promise<{ url: string }> {
    return { url: await call(() => native().infraBucketSignedUrl(this.name, this.public, key, true, opts.ttl ?? 3600), [this.name, "signedUploadUrl", key]) };
  }

  async signedDownloadUrl(key: string, opts: { ttl?: number } = {}): Promise<{ url: string }> {
    return { url: await call(() => native().infraBucketSignedUrl(this.name, this.public, key, false, opts.ttl ?? 3600), [this.name, "signedDownloadUrl", key]) };
  }

  /** Public buckets only. Needs the providers started (any other bucket call, or `reprise run`). */
  publicUrl(key: string): string {
    try {
      return native().infraBucketPublicUrl(this.name, this.public, key);
    } catch (e) {
      throw mapError(e);
    }
  }
}

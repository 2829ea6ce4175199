/**
 * Types the infrastructure half of the Rust addon (runtime/src/infra_bindings.rs). The addon itself comes from the
 * SDK's one loader (internal/native.ts), which only loads it: SQL, pub/sub, buckets and secrets also work in
 * scripts and tests that never start the HTTP server.
 */
import { native as loadAddon } from "../internal/native.js";

export interface DatabaseTarget {
  connectionString?: string | null;
  dataDir: string;
  maxConnections: number;
}

export interface SubscribeOptions {
  topic: string;
  name: string;
  ackDeadlineMs: number;
  messageRetentionMs: number;
  maxConcurrency?: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  maxRetries: number;
}

export interface InfraNative {
  infraLoadConfig(appRoot: string, configFile?: string): string;
  infraInit(appRoot: string, configFile?: string): Promise<string>;
  infraSetLogger(cb: (line: string) => void): void;
  infraDone(token: number, error?: string | null): boolean;
  /** `trace`: the publishing work's handle (internal/tracing.ts); a traced publish gets a span and carries a traceparent. */
  infraPublish(topic: string, message: string, trace?: number | null): Promise<string>;
  infraSubscribe(options: SubscribeOptions, handler: (json: string) => void): Promise<void>;
  infraDeadLetters(topic: string, subscription: string): Promise<string>;
  /** Removes one dead letter; its JSON or null. */
  infraTakeDeadLetter(topic: string, subscription: string, id: string): Promise<string | null>;
  /** Installs the admin routes' JS half (config/admin.ts); `handler(json)` answers with `infraAdminDone`. */
  infraAdminSetup(handler: (json: string) => void): void;
  infraAdminDone(token: number, answer: string): boolean;
  infraShutdown(): Promise<void>;
  infraSecret(name: string): string | null;
  infraDatabase(name: string): DatabaseTarget;
  infraBucketUpload(name: string, pub: boolean, key: string, data: Buffer, contentType: string | undefined, notExists: boolean): Promise<string>;
  infraBucketDownload(name: string, pub: boolean, key: string): Promise<Buffer>;
  infraBucketList(name: string, pub: boolean, prefix?: string, limit?: number): Promise<string>;
  infraBucketRemove(name: string, pub: boolean, key: string): Promise<void>;
  infraBucketExists(name: string, pub: boolean, key: string): Promise<boolean>;
  infraBucketAttrs(name: string, pub: boolean, key: string): Promise<string>;
  infraBucketSignedUrl(name: string, pub: boolean, key: string, upload: boolean, ttlSeconds: number): Promise<string>;
  infraBucketPublicUrl(name: string, pub: boolean, key: string): string;
  infraCronSetup(jobs: { name: string; every?: string; schedule?: string; endpoint?: string }[], invoke: (json: string) => void, start: boolean): void;
  infraCronRun(name: string): Promise<void>;
  infraCronStatus(): string;
  /** The app's metric series for the admin route (runtime/src/metrics.rs); absent in an older addon. */
  metricsPublish?(series: string): void;
}

/** The addon, built by `npm install` (runtime/sdk/scripts/build-native.mjs) into runtime/sdk/native/. */
export function native(): InfraNative {
  return loadAddon() as unknown as InfraNative;
}

/** Splits the `[Code] message` form the bindings throw. */
export function nativeCode(e: unknown): { code: string; message: string } {
  const msg = e instanceof Error ? e.message : String(e);
  const m = /^\[(\w+)\] ([\s\S]*)$/.exec(msg);
  return m ? { code: m[1]!, message: m[2]! } : { code: "Internal", message: msg };
}

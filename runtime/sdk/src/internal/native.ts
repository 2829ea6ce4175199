/**
 * The one place the SDK loads the Rust runtime addon (native/reprise.<platform>-<arch>[-gnu].node, built from
 * source by `npm install`), once per process: the HTTP host and the infrastructure modules (config/native.ts) get
 * the same copy, so they share its statics. Everything else imports the typed surface from here.
 */
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ErrorCode } from "@reprise/protocol";

export interface StartOptions {
  model: string;
  appRoot: string;
  host?: string;
  port: number;
  requestTimeoutMs?: number;
  toolToken?: string;
  dashboardDir?: string;
}

export interface CallResult {
  status: number;
  body: string;
}

/** The napi surface of runtime/src/binding.rs. */
export interface NativeRuntime {
  start(options: StartOptions): Promise<number>;
  reload(model: string, appRoot: string, dispatcher?: number | null): void;
  checkModel(model: string, appRoot: string): void;
  setRequestTimeout(ms?: number | null): void;
  shutdown(graceMs: number): Promise<number>;
  installDispatcher(callback: (ints: Uint32Array, text: string, extras: unknown[] | null) => void, activate?: boolean): number;
  uninstallDispatcher(handle: number): void;
  respond(id: number, status: number, body: string, headers?: string[] | null): boolean;
  flushReplies(): void;
  dispatchState(): string;
  requestHeaders(id: number): string[] | null;
  rawHead(id: number, status: number, headers?: string[] | null): boolean;
  rawAck(id: number, n: number): boolean;
  /** 0: the request is gone; 1: queued; 2: queued, over the high-water mark (wait for the drain event). */
  rawWrite(id: number, chunk: Buffer): number;
  rawEnd(id: number): boolean;
  /** As rawWrite. */
  streamSend(id: number, text: string): number;
  outboundStats(): { queued: number; peak: number };
  streamClose(id: number, code: number, reason: string): boolean;
  callEndpoint(endpoint: number, params: string, authData?: string | null, caller?: number | null): Promise<CallResult>;
  traceSpan(handle: number, kind: number, a: string, b: string, c: string, n: number, durationMs: number, error?: string | null): boolean;
  traceLog(handle: number, level: number, message: string, fields?: string | null): boolean;
  traceError(handle: number, code: string, message: string, stack: string): void;
  [infra: string]: unknown;
}

/** Raised when the addon is missing or cannot be loaded. */
export class NativeRuntimeMissingError extends Error {
  readonly code = "RP_NATIVE_MISSING" satisfies ErrorCode;
  constructor(message: string) {
    super(message);
    this.name = "NativeRuntimeMissingError";
  }
}

let warnedDeprecated = false;

/**
 * Where the addon is: `$REPRISE_NATIVE_PATH` when set, else the file `npm install` built into runtime/sdk/native/.
 * `$REPRISE_NATIVE` (the infrastructure loader's old variable) is still read, with a deprecation warning.
 */
export function nativePath(): string {
  if (process.env.REPRISE_NATIVE_PATH) return process.env.REPRISE_NATIVE_PATH;
  if (process.env.REPRISE_NATIVE) {
    if (!warnedDeprecated) {
      warnedDeprecated = true;
      process.emitWarning("REPRISE_NATIVE is deprecated; set REPRISE_NATIVE_PATH to the addon's path instead.", { type: "DeprecationWarning", code: "REPRISE_NATIVE" });
    }
    return process.env.REPRISE_NATIVE;
  }
  const here = dirname(fileURLToPath(import.meta.url));
  const abi = process.platform === "linux" ? "-gnu" : "";
  const file = `reprise.${process.platform}-${process.arch}${abi}.node`;
  const candidates = [join(here, "..", "..", "..", "native", file), join(here, "..", "..", "native", file)];
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!;
}

let loaded: NativeRuntime | undefined;

export function native(): NativeRuntime {
  if (loaded) return loaded;
  const file = nativePath();
  if (!existsSync(file)) {
    throw new NativeRuntimeMissingError(
      `The Reprise native runtime is missing (${file}). Run npm install to build the native runtime (it needs a Rust toolchain: https://rustup.rs).`,
    );
  }
  try {
    loaded = createRequire(import.meta.url)(file) as NativeRuntime;
  } catch (e) {
    throw new NativeRuntimeMissingError(
      `The Reprise native runtime at ${file} could not be loaded (${(e as Error).message}). Run npm install to build the native runtime again.`,
    );
  }
  return loaded;
}

/**
 * `reprise/validate` (and `encore.dev/validate`): validation rules written as types and attached with `&`, e.g.
 * `string & MinLen<1> & MaxLen<64>`, `number & Min<0>`, `string & (IsURL | IsEmail)`. The analyser turns them
 * into JSON Schema keywords and the runtime checks them in Rust before the handler runs (400 on failure).
 * At the type level they are optional brands, so plain values stay assignable.
 */
declare const rule: unique symbol;

interface Rule<Kind extends string, Arg> {
  readonly [rule]?: { [K in Kind]: Arg };
}

/** The number is at least N (inclusive). */
export type Min<N extends number> = Rule<"min", N>;
/** The number is at most N (inclusive). */
export type Max<N extends number> = Rule<"max", N>;
/** The string or array has at least N characters / items. */
export type MinLen<N extends number> = Rule<"minLen", N>;
/** The string or array has at most N characters / items. */
export type MaxLen<N extends number> = Rule<"maxLen", N>;
/** The string matches the regular expression. */
export type MatchesRegexp<S extends string> = Rule<"regexp", S>;
/** The string starts with S. */
export type StartsWith<S extends string> = Rule<"startsWith", S>;
/** The string ends with S. */
export type EndsWith<S extends string> = Rule<"endsWith", S>;
/** The string is an email address. */
export type IsEmail = Rule<"email", true>;
/** The string is a URL. */
export type IsURL = Rule<"url", true>;

/**
 * The two shapes of an outcome that can fail on input. Both succeed the same way, with `value`.
 * Exceptions stay for programmer errors. This file imports nothing, so every layer (the pure
 * codec too) may use it.
 */

/**
 * An outcome that is refused for one reason the caller must handle: a value, or a reason code
 * to branch on (an HTTP status, an exit code, a drop counter) with a message for people.
 */
export type Result<T, Reason extends string> = Ok<T> | Failure<Reason>;

/**
 * A validation that reports every problem at once (config, CLI flags, keyring files): a value,
 * or one message per problem, each naming what it is about.
 */
export type Checked<T> = Ok<T> | Invalid;

export interface Ok<T> {
  readonly ok: true;
  readonly value: T;
}

export interface Failure<Reason extends string> {
  readonly ok: false;
  readonly reason: Reason;
  readonly error: string;
}

export interface Invalid {
  readonly ok: false;
  /** At least one; one line each. */
  readonly errors: readonly string[];
}

export function success<T>(value: T): Ok<T> {
  return { ok: true, value };
}

export function failure<Reason extends string>(reason: Reason, error: string): Failure<Reason> {
  return { ok: false, reason, error };
}

/** The success of a Checked<T>; the same value as success(), named for validation. */
export function valid<T>(value: T): Ok<T> {
  return { ok: true, value };
}

export function invalid(...errors: readonly string[]): Invalid {
  return { ok: false, errors };
}

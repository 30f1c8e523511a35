/**
 * The one shape of an outcome that can fail for a reason the caller must handle: a value, or
 * a reason code to branch on (an HTTP status, an exit code) with a message for people.
 * Exceptions stay for programmer errors.
 */
export type Result<T, Reason extends string = string> = Ok<T> | Failure<Reason>;

export interface Ok<T> {
  readonly ok: true;
  readonly value: T;
}

export interface Failure<Reason extends string = string> {
  readonly ok: false;
  readonly reason: Reason;
  readonly error: string;
}

export function success<T>(value: T): Ok<T> {
  return { ok: true, value };
}

export function failure<Reason extends string>(reason: Reason, error: string): Failure<Reason> {
  return { ok: false, reason, error };
}

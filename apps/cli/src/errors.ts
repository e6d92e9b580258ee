/**
 * Turning anything thrown into a message a person can act on, with the right exit code. Never a
 * stack trace (set BAQL_DEBUG=1 to see one).
 */
import { EXIT, type CliIo } from './io.js';

/** Something with the shape of `@baql/core`'s `BaqlError`. */
interface ReasonCarrier {
  readonly reason: { readonly _tag: string; readonly diagnostics?: readonly unknown[] };
  readonly message: string;
}

/** Whether `error` is a `BaqlError` (by shape, so no module identity issues). */
export function isBaqlError(error: unknown): error is ReasonCarrier {
  return (
    typeof error === 'object' &&
    error !== null &&
    'reason' in error &&
    typeof (error as { reason?: { _tag?: unknown } }).reason?._tag === 'string'
  );
}

/** The one-line message of any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Prints an unexpected error without a stack trace and returns the runtime exit code. */
export function reportUnexpected(io: CliIo, error: unknown): number {
  io.stderr.write(`baql: ${errorMessage(error)}\n`);
  if (io.env.BAQL_DEBUG && error instanceof Error && error.stack)
    io.stderr.write(`${error.stack}\n`);
  if (isBaqlError(error) && error.reason._tag === 'PlanError') return EXIT.invalid;
  return EXIT.runtime;
}

/**
 * What the protocol handler needs from a language: execute a cell, complete, inspect, check
 * completeness. The handler knows the protocol; a {@link KernelLanguage} knows the language. The
 * BAQL implementation is in `baql-language.ts`.
 *
 * @since 0.1.0
 * @module
 */
import type { JsonObject } from './protocol/types.js';

/** A MIME bundle: MIME type → data (`text/plain` always present on results). @since 0.1.0 */
export type MimeBundle = { readonly [mime: string]: unknown };

/** The side channel a running cell writes to. @since 0.1.0 */
export interface CellContext {
  /** Aborted when the user interrupts the kernel. */
  readonly signal: AbortSignal;
  /** The cell's execution count. */
  readonly executionCount: number;
  /** Shows a MIME bundle; with a `displayId`, it can be updated later. */
  display(data: MimeBundle, displayId?: string, metadata?: JsonObject): void;
  /** Replaces the bundle shown under `displayId`. */
  updateDisplay(data: MimeBundle, displayId: string, metadata?: JsonObject): void;
  /** Writes text to the cell's stdout or stderr stream. */
  stream(name: 'stdout' | 'stderr', text: string): void;
  /**
   * Asks the front-end for a line of input (`input_request` on stdin); `password` hides it.
   * Resolves to `undefined` when the request does not allow stdin or the cell is interrupted.
   */
  input(prompt: string, options?: { readonly password?: boolean }): Promise<string | undefined>;
}

/** A failed cell, as the protocol's `error` content. @since 0.1.0 */
export interface CellError {
  readonly ename: string;
  readonly evalue: string;
  readonly traceback: readonly string[];
}

/** The outcome of a cell. @since 0.1.0 */
export type CellOutcome =
  | { readonly _tag: 'Ok'; readonly result?: MimeBundle; readonly metadata?: JsonObject }
  | ({ readonly _tag: 'Error' } & CellError);

/**
 * A completion answer. Offsets here are UTF-16 indexes into the code (JavaScript string
 * offsets); the handler converts them to the protocol's code points.
 *
 * @since 0.1.0
 */
export interface Completion {
  readonly matches: readonly string[];
  readonly cursorStart: number;
  readonly cursorEnd: number;
  /** `_jupyter_types_experimental`-style details: one per match. */
  readonly types?: readonly {
    readonly text: string;
    readonly type: string;
    readonly signature?: string;
  }[];
}

/** An inspection answer. @since 0.1.0 */
export interface Inspection {
  readonly found: boolean;
  readonly data: MimeBundle;
}

/** An `is_complete` answer. @since 0.1.0 */
export type Completeness =
  | { readonly status: 'complete' | 'invalid' | 'unknown' }
  | { readonly status: 'incomplete'; readonly indent: string };

/** `kernel_info_reply` facts that depend on the language. @since 0.1.0 */
export interface LanguageInfo {
  readonly implementation: string;
  readonly implementationVersion: string;
  readonly banner: string;
  readonly languageInfo: JsonObject & { readonly name: string };
  readonly helpLinks: readonly { readonly text: string; readonly url: string }[];
}

/**
 * A language the kernel runs. Cursor arguments are UTF-16 offsets. Methods may throw; the
 * handler turns a throw into an error reply and keeps running.
 *
 * @since 0.1.0
 */
export interface KernelLanguage {
  readonly info: LanguageInfo;
  execute(code: string, context: CellContext): Promise<CellOutcome>;
  complete(code: string, cursor: number): Promise<Completion> | Completion;
  inspect(code: string, cursor: number, detailLevel: number): Promise<Inspection> | Inspection;
  isComplete(code: string): Promise<Completeness> | Completeness;
  /** Releases resources (sessions, sandboxes) before the process exits or restarts. */
  shutdown(): Promise<void>;
}

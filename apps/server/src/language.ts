/**
 * The pieces of `@baql/query` the server calls directly (completion, explanation, saved-query
 * files), behind one small adapter.
 *
 * @module
 */
import * as query from '@baql/query';

/** A completion answer. */
export interface Completion {
  readonly items: readonly unknown[];
  readonly replace: { readonly start: number; readonly end: number };
}

/** A parameter of a saved query. */
export interface SavedParam {
  readonly name: string;
  readonly [key: string]: unknown;
}

/** A parsed saved-query file. */
export interface SavedQuery {
  readonly name?: string;
  readonly description?: string;
  readonly params: readonly SavedParam[];
  readonly query: string;
  readonly diagnostics?: readonly unknown[];
}

interface QueryModule {
  complete?(text: string, offset: number, catalog?: unknown): Completion;
  explain?(plan: unknown): string;
  parseSavedQuery?(text: string): unknown;
}

const lib = query as unknown as QueryModule;

/** Completion candidates at `offset`. */
export function complete(text: string, offset: number, catalog: unknown): Completion {
  if (lib.complete === undefined) return { items: [], replace: { start: offset, end: offset } };
  return catalog === undefined ? lib.complete(text, offset) : lib.complete(text, offset, catalog);
}

/** The plan explained for humans, when the query library can. */
export function explainPlan(plan: unknown): string | undefined {
  try {
    return lib.explain?.(plan);
  } catch {
    return undefined;
  }
}

/** Parses a saved-query file; `undefined` when the query library cannot. */
export function parseSaved(text: string): unknown {
  return lib.parseSavedQuery?.(text);
}

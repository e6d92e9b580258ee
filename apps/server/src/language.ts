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

interface QueryModule {
  complete?(text: string, offset: number, catalog?: unknown): Completion;
  explain?(plan: unknown): string;
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

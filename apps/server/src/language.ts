/**
 * The pieces of `@baql/query` the server calls directly: completion and plan explanation.
 *
 * @module
 */
import {
  complete as completeQuery,
  explain,
  type Catalog,
  type Completions,
  type Plan,
} from '@baql/query';

/** Completion candidates at `offset`. */
export function complete(text: string, offset: number, catalog: unknown): Completions {
  return catalog === undefined
    ? completeQuery(text, offset)
    : completeQuery(text, offset, catalog as Catalog);
}

/** The plan explained for humans (`undefined` when the plan cannot be explained). */
export function explainPlan(plan: unknown): string | undefined {
  try {
    return explain(plan as Plan);
  } catch {
    return undefined;
  }
}

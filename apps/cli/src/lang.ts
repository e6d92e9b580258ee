/**
 * The query language, loaded on demand. `@baql/query` (chevrotain) takes a noticeable time to
 * load, so the REPL shows its first prompt first and loads the language in the background.
 */
import type * as QueryModule from '@baql/query';

/** The `@baql/query` module. */
export type Query = typeof QueryModule;

let loading: Promise<Query> | undefined;

/** Loads `@baql/query` once; every caller shares the same promise. */
export function loadQuery(): Promise<Query> {
  loading ??= import('@baql/query');
  return loading;
}

/** Diagnostics-shaped values, as thrown inside a `PlanError`. */
export type Diagnostic = QueryModule.Diagnostic;

/** Renders diagnostics in the caret form (line, caret, hints), one after the other. */
export async function renderDiagnostics(
  text: string,
  diagnostics: readonly Diagnostic[],
): Promise<string> {
  const q = await loadQuery();
  return diagnostics.map((d) => q.renderDiagnostic(text, d)).join('\n');
}

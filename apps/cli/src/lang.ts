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

/**
 * Whether `text` is a complete query — balanced brackets and quotes, no trailing `|` — for the
 * moment before `@baql/query` has loaded (its `isComplete` takes over then).
 */
export function balanced(text: string): { complete: boolean; indent: number } {
  let depth = 0;
  let quote = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\') i += 1;
      else if (ch === '"') quote = false;
    } else if (ch === '"') quote = true;
    else if (ch === '#') {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? text.length : nl;
    } else if (ch === '(' || ch === '[') depth += 1;
    else if (ch === ')' || ch === ']') depth -= 1;
  }
  const complete = !quote && depth <= 0 && !/\|\s*$/.test(text);
  return { complete, indent: complete ? 0 : 2 * Math.max(1, depth) };
}

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

/** A completion candidate as `complete()` returns it. */
export interface LangCompletion {
  readonly items: readonly unknown[];
  readonly replace: { readonly start: number; readonly end: number };
}

/** The editor-facing functions of the language, typed loosely so the CLI tracks their shape. */
export interface LangTools {
  format(text: string): string;
  explain(plan: unknown): string;
  highlight(text: string): unknown;
  complete(text: string, offset: number, catalog?: unknown): LangCompletion;
  isComplete(text: string): { complete: boolean; indent?: number };
}

/** Whether `text` is a complete query: balanced brackets and quotes, no trailing `|`. */
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

/** The language's editor functions (`format`, `explain`, `highlight`, `complete`, `isComplete`). */
export function tools(q: Query): LangTools {
  const m = q as unknown as Partial<LangTools>;
  return {
    format: m.format ? m.format.bind(q) : (text) => text,
    explain: m.explain ? m.explain.bind(q) : (plan) => JSON.stringify(plan, null, 2),
    highlight: m.highlight ? m.highlight.bind(q) : () => [],
    complete: m.complete
      ? m.complete.bind(q)
      : (text, offset, catalog) => catalogComplete(q, text, offset, catalog),
    isComplete: m.isComplete ? m.isComplete.bind(q) : balanced,
  };
}

const KEYWORDS = [
  'AND',
  'OR',
  'NOT',
  'IN',
  'since',
  'last',
  'between',
  'from',
  'until',
  'today',
  'yesterday',
];
const DURATIONS = ['15m', '1h', '24h', '1d', '7d', '30d', '90d'];

/**
 * Completion from the catalog alone (used until `@baql/query` exports `complete`): event ids and
 * enum values after `field:`, stage names after `|`, durations after `since`/`last`, else fields
 * and keywords.
 */
export function catalogComplete(
  q: Query,
  text: string,
  offset: number,
  catalogArg?: unknown,
): LangCompletion {
  const catalog = (catalogArg as Query['defaultCatalog'] | undefined) ?? q.defaultCatalog;
  const before = text.slice(0, offset);
  const word = /[\w.@/-]*$/.exec(before)?.[0] ?? '';
  const start = offset - word.length;
  const head = before.slice(0, start);
  const replace = { start, end: offset };
  const field = /([\w"[\]]+)\s*:\s*\(?(?:[^()]*\s(?:OR|or)\s)*$/.exec(head)?.[1];
  if (field !== undefined) {
    const f = catalog.fields.find(
      (x) => x.name === field.toLowerCase() || (x.aliases ?? []).includes(field.toLowerCase()),
    );
    const values =
      f?.target === 'event'
        ? catalog.events.map((e) => e.id)
        : f?.values
          ? [...f.values]
          : [
              ...(catalog.attributes.find(
                (a) => a.name.toLowerCase() === (f?.attribute ?? field).toLowerCase(),
              )?.examples ?? []),
            ];
    return { items: values.map((label) => ({ label })), replace };
  }
  if (/\|\s*$/.test(head))
    return { items: q.STAGE_NAMES.map((label) => ({ label: `${label} ` })), replace };
  if (/\b(since|last)\s+$/i.test(head))
    return { items: DURATIONS.map((label) => ({ label })), replace };
  const fields = catalog.fields
    .flatMap((f) => [f.name, ...(f.aliases ?? [])])
    .map((name) => ({ label: `${name}:` }));
  return { items: [...fields, ...KEYWORDS.map((label) => ({ label: `${label} ` }))], replace };
}

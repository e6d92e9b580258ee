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

/**
 * A diagnostic as `@baql/core` may carry it in a `PlanError`: the language's own, or a macro
 * problem whose span is a pair of offsets and whose hints may be missing.
 */
export interface LooseDiagnostic {
  readonly severity: string;
  readonly code: string;
  readonly message: string;
  readonly span?: unknown;
  readonly hints?: readonly string[] | undefined;
}

/** Brings a {@link LooseDiagnostic} of `text` to the language's shape (line/column spans, hints). */
export function toDiagnostic(q: Query, text: string, d: LooseDiagnostic): Diagnostic {
  const span = d.span as { start?: unknown; end?: unknown } | undefined;
  const positioned = typeof (span?.start as { line?: unknown } | undefined)?.line === 'number';
  const start = typeof span?.start === 'number' ? span.start : 0;
  const end = typeof span?.end === 'number' ? span.end : start;
  return {
    ...d,
    severity: d.severity as Diagnostic['severity'],
    span: positioned ? (span as Diagnostic['span']) : new q.LineIndex(text).span(start, end),
    hints: d.hints ?? [],
  };
}

/** Renders diagnostics of `text` in the caret form (line, caret, hints), one after the other. */
export async function renderDiagnostics(
  text: string,
  diagnostics: readonly LooseDiagnostic[],
): Promise<string> {
  const q = await loadQuery();
  return diagnostics.map((d) => q.renderDiagnostic(text, toDiagnostic(q, text, d))).join('\n');
}

/** Where a query came from, for its diagnostics. */
export interface QuerySource {
  /** The query text the diagnostics refer to (as planned: its macros expanded). */
  readonly query: string;
  /** The saved query file it was read from: its name as given, and the text before the query. */
  readonly file?: { readonly name: string; readonly header: string } | undefined;
}

/**
 * Renders diagnostics of a query in the caret form. For a file, lines and columns are the
 * file's and each one starts `file:line:col: severity[code]: message`, as `baql check` prints.
 */
export async function renderSourceDiagnostics(
  source: QuerySource,
  diagnostics: readonly LooseDiagnostic[],
): Promise<string> {
  const { file } = source;
  if (file === undefined) return renderDiagnostics(source.query, diagnostics);
  const q = await loadQuery();
  const text = file.header + source.query;
  return diagnostics
    .map((d) => {
      const inQuery = toDiagnostic(q, source.query, d);
      return renderInFile(q, file.name, text, q.shiftDiagnostic(inQuery, text, file.header.length));
    })
    .join('\n');
}

/** One diagnostic in file coordinates: the `file:line:col:` line, then the caret and hints. */
function renderInFile(q: Query, name: string, text: string, d: Diagnostic): string {
  const { line, column } = d.span.start;
  const headerLines = d.message.split('\n').length;
  const body = q.renderDiagnostic(text, d).split('\n').slice(headerLines);
  return [`${name}:${line}:${column}: ${d.severity}[${d.code}]: ${d.message}`, ...body].join('\n');
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

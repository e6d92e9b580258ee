/**
 * Diagnostics: the one error shape for bad queries in every app, and the caret rendering the CLI,
 * REPL and kernel print.
 *
 * @since 0.1.0
 * @module
 */

/** A place in the query text: 0-based `offset`, 1-based `line` and `column`. @since 0.1.0 */
export interface Position {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

/** A range of the query text; `end` is exclusive. @since 0.1.0 */
export interface Span {
  readonly start: Position;
  readonly end: Position;
}

/** How bad a diagnostic is: errors block planning, warnings do not. @since 0.1.0 */
export type Severity = 'error' | 'warning' | 'info';

/**
 * A problem found in a query, in the analyst's language.
 *
 * `code` is stable (e.g. `BAQL_SYNTAX`, `BAQL_FOREIGN_SYNTAX`, `BAQL_UNKNOWN_FIELD`), `hints` are
 * short suggestions such as ``did you mean `type`?`` or the query spelled the BAQL way.
 * @since 0.1.0
 */
export interface Diagnostic {
  readonly severity: Severity;
  readonly code: string;
  readonly message: string;
  readonly span: Span;
  readonly hints: readonly string[];
}

/** Maps offsets of one text to positions (1-based lines and columns). @since 0.1.0 */
export class LineIndex {
  private lineStarts: number[] | undefined;
  constructor(readonly text: string) {}
  private get starts(): number[] {
    if (!this.lineStarts) {
      const starts = [0];
      for (let i = 0; i < this.text.length; i += 1)
        if (this.text.charCodeAt(i) === 10) starts.push(i + 1);
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }
  /** The position of an offset (clamped to the text). */
  position(offset: number): Position {
    const o = Math.max(
      0,
      Math.min(Number.isFinite(offset) ? offset : this.text.length, this.text.length),
    );
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= o) lo = mid;
      else hi = mid - 1;
    }
    return { offset: o, line: lo + 1, column: o - (this.starts[lo] ?? 0) + 1 };
  }
  /** The span between two offsets. */
  span(start: number, end: number): Span {
    return { start: this.position(start), end: this.position(Math.max(start, end)) };
  }
}

/** Builds a diagnostic over offsets `[start, end)` of `text`. @since 0.1.0 */
export function diagnosticAt(
  index: LineIndex,
  severity: Severity,
  code: string,
  message: string,
  start: number,
  end: number,
  hints: readonly string[] = [],
): Diagnostic {
  return { severity, code, message, span: index.span(start, end), hints };
}

/** Whether any diagnostic is an error. @since 0.1.0 */
export const hasErrors = (ds: readonly Diagnostic[]): boolean =>
  ds.some((d) => d.severity === 'error');

/**
 * Renders a diagnostic the way every app prints it:
 *
 * ```
 * error[BAQL_FOREIGN_SYNTAX] at line 1, column 5: BAQL writes equality with `:`
 *   1 | type=login
 *     |     ^
 *   hint: write `type:login`
 * ```
 * @since 0.1.0
 */
export function renderDiagnostic(text: string, diagnostic: Diagnostic): string {
  const { start, end } = diagnostic.span;
  const lines = text.split('\n');
  const lineText = (lines[start.line - 1] ?? '').replace(/\r$/, '');
  const gutter = String(start.line);
  const pad = ' '.repeat(gutter.length);
  const width =
    end.line === start.line
      ? Math.max(1, end.column - start.column)
      : Math.max(1, lineText.length - start.column + 1);
  const caretLine = ' '.repeat(Math.max(0, start.column - 1)) + '^'.repeat(width);
  const out = [
    `${diagnostic.severity}[${diagnostic.code}] at line ${start.line}, column ${start.column}: ${diagnostic.message}`,
    `  ${gutter} | ${lineText}`,
    `  ${pad} | ${caretLine}`,
  ];
  for (const hint of diagnostic.hints) out.push(`  hint: ${hint}`);
  return out.join('\n');
}

/** Edit distance with transpositions (optimal string alignment), for did-you-mean. @since 0.1.0 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i += 1) {
    const row: number[] = new Array<number>(b.length + 1).fill(0);
    row[0] = i;
    rows.push(row);
  }
  const first = rows[0] as number[];
  for (let j = 0; j <= b.length; j += 1) first[j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    const row = rows[i] as number[];
    const up = rows[i - 1] as number[];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((up[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (up[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, ((rows[i - 2] as number[])[j - 2] ?? 0) + 1);
      row[j] = v;
    }
  }
  return (rows[a.length] as number[])[b.length] ?? 0;
}

/**
 * The candidates closest to `word` (case-insensitive), best first: at most `max`, within an edit
 * distance that grows with the word's length. @since 0.1.0
 */
export function didYouMean(word: string, candidates: Iterable<string>, max = 3): string[] {
  const w = word.toLowerCase();
  const limit = w.length <= 3 ? 1 : w.length <= 6 ? 2 : 3;
  const scored: { c: string; d: number }[] = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    const lc = c.toLowerCase();
    if (seen.has(lc)) continue;
    seen.add(lc);
    let d = editDistance(w, lc);
    if (d > limit && lc.startsWith(w) && w.length >= 3) d = limit;
    if (d <= limit) scored.push({ c, d });
  }
  scored.sort((x, y) => x.d - y.d || x.c.localeCompare(y.c));
  return scored.slice(0, max).map((s) => s.c);
}

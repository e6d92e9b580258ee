/**
 * A query result as the renderers see it, and the plain-text table (the `text/plain` of results).
 *
 * @since 0.1.0
 * @module
 */

import { rememberJsonString } from '../protocol/json-bytes.js';
import { CELL_PLAIN, cellsFor, type TableCells } from './cells.js';

/** The summary line of a result. @since 0.1.0 */
export interface SummaryView {
  readonly rows: number;
  readonly requests?: number;
  readonly pages?: number;
  readonly retries?: number;
  readonly bytes?: number;
  readonly elapsedMs?: number;
  readonly window?: { readonly start: string; readonly end: string; readonly defaulted?: boolean };
}

/** A result: column names in order, rows as objects, and its summary. @since 0.1.0 */
export interface ResultView {
  readonly columns: readonly string[];
  readonly rows: readonly Readonly<Record<string, unknown>>[];
  readonly summary: SummaryView;
}

/** A cell value as text (`''` for absent values). @since 0.1.0 */
export function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  try {
    return JSON.stringify(value) ?? '';
  } catch (_error) {
    return String(value);
  }
}

const formatBytes = (bytes: number): string =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} KB`
      : `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * A count with thousands separators, as `n.toLocaleString('en-US')` writes it (`12,345`), without
 * going through ICU: that took tens of microseconds a call in a kernel, several calls a result.
 *
 * @since 0.1.0
 */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = '';
  for (let i = 0; i < digits.length; i += 1) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i] as string;
  }
  return n < 0 || Object.is(n, -0) ? `-${out}` : out;
}

const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;

/** The one-line summary: `3 rows · 1 request · 1 page · 0 retries · 2.1 KB · 12 ms · window …`. @since 0.1.0 */
export function summaryLine(summary: SummaryView): string {
  const parts = [plural(summary.rows, 'row')];
  if (summary.requests !== undefined) parts.push(plural(summary.requests, 'request'));
  if (summary.pages !== undefined) parts.push(plural(summary.pages, 'page'));
  if (summary.retries !== undefined)
    parts.push(plural(summary.retries, 'retry').replace('retrys', 'retries'));
  if (summary.bytes !== undefined) parts.push(formatBytes(summary.bytes));
  if (summary.elapsedMs !== undefined) parts.push(`${Math.round(summary.elapsedMs)} ms`);
  if (summary.window !== undefined) {
    parts.push(
      `window ${summary.window.start} → ${summary.window.end}${summary.window.defaulted === true ? ' (default)' : ''}`,
    );
  }
  return parts.join(' · ');
}

/** Whitespace that `clip` would change: anything but a lone space. */
const FOLDED_SPACE = /[^\S ]| {2}/;

/**
 * Characters `JSON.stringify` escapes in a string: quote, backslash, control characters, and
 * surrogates (it escapes lone ones; any surrogate sends a table down the general path).
 *
 * @since 0.1.0
 */
// eslint-disable-next-line no-control-regex -- control characters are what JSON escapes
export const JSON_ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/** Either of the above: most cells have neither, and one test is cheaper than two. */
// eslint-disable-next-line no-control-regex -- control characters are what JSON escapes
const FOLD_OR_ESCAPE = /[^\S ]| {2}|["\\\u0000-\u001f\ud800-\udfff]/;

/** Folds whitespace runs to one space and cuts `text` to `width` characters with `…`. */
const clip = (text: string, width: number): string => {
  const flat = FOLDED_SPACE.test(text) ? text.replace(/\s+/g, ' ') : text;
  return flat.length <= width ? flat : `${flat.slice(0, width - 1)}…`;
};

/** Options of the table renderers. @since 0.1.0 */
export interface TableOptions {
  /** Rows shown (default 50 for text, 200 for HTML); the rest is counted. */
  readonly maxRows?: number;
  /** Widest column in characters, for text (default 40). */
  readonly maxWidth?: number;
  /**
   * Columns shown (default {@link DEFAULT_MAX_COLUMNS}; `Infinity` shows every column). A wider
   * result shows its first and last columns around a `…` column, and says how many it left out.
   */
  readonly maxColumns?: number;
}

/**
 * Columns a table shows by default, as pandas' `display.max_columns` in a notebook: a raw
 * activity record has 40-odd attributes, and a table that wide is read by scrolling sideways.
 * The result's `application/json` keeps every column.
 *
 * @since 0.1.0
 */
export const DEFAULT_MAX_COLUMNS = 20;

/** The columns a table shows. @since 0.1.0 */
export interface ColumnLayout {
  /** The columns shown, in order. */
  readonly shown: readonly string[];
  /** Where the `…` column goes (an index into `shown`), or -1 when every column is shown. */
  readonly gapAt: number;
  /** How many columns are left out. */
  readonly hidden: number;
}

/**
 * The columns a table of `columns` shows under a `maxColumns` cap: all of them when they fit,
 * else the first `⌈max/2⌉` and the last `⌊max/2⌋` with a gap between (as pandas does).
 *
 * @example
 * layoutColumns(['a', 'b', 'c', 'd', 'e'], 4) // { shown: ['a', 'b', 'd', 'e'], gapAt: 2, hidden: 1 }
 * @since 0.1.0
 */
export function layoutColumns(
  columns: readonly string[],
  maxColumns: number = DEFAULT_MAX_COLUMNS,
): ColumnLayout {
  const max = Math.max(1, Math.floor(maxColumns));
  if (!(columns.length > max)) return { shown: columns, gapAt: -1, hidden: 0 };
  const left = Math.ceil(max / 2);
  const right = max - left;
  return {
    shown: [...columns.slice(0, left), ...columns.slice(columns.length - right)],
    gapAt: left,
    hidden: columns.length - max,
  };
}

/**
 * The columns of a {@link ColumnLayout} in the order a table shows them, with `undefined` where
 * the `…` column stands for the ones left out.
 *
 * @example
 * columnSlots(layoutColumns(['a', 'b', 'c', 'd', 'e'], 4)) // ['a', 'b', undefined, 'd', 'e']
 * @since 0.1.0
 */
export function columnSlots(layout: ColumnLayout): readonly (string | undefined)[] {
  const { shown, gapAt } = layout;
  return gapAt < 0 ? shown : [...shown.slice(0, gapAt), undefined, ...shown.slice(gapAt)];
}

/** The note under a table that left columns out. @since 0.1.0 */
export const hiddenColumnsNote = (hidden: number): string =>
  `${formatCount(hidden)} more column${hidden === 1 ? '' : 's'} not shown (%display columns=all shows every column)`;

/** Rows the text table shows by default; the rest is counted. @since 0.1.0 */
export const TEXT_MAX_ROWS = 50;

/** Runs of spaces, shared: padding cells with `padEnd` made a string per cell. */
const SPACES = Array.from({ length: 84 }, (_, i) => ' '.repeat(i));
const spaces = (n: number): string => SPACES[n] ?? ' '.repeat(n);

/**
 * Renders a fixed-width text table with the summary line under it.
 *
 * @since 0.1.0
 */
export function renderTextTable(
  result: ResultView,
  options: TableOptions = {},
  given?: TableCells,
): string {
  const maxRows = options.maxRows ?? TEXT_MAX_ROWS;
  const maxWidth = options.maxWidth ?? 40;
  if (result.columns.length === 0 || result.rows.length === 0) {
    return `(no rows)\n${summaryLine(result.summary)}`;
  }
  // Plain loops over a flat array of cells: a result of a few dozen columns has hundreds of
  // cells, rendered on every run.
  const shown = Math.min(maxRows, result.rows.length);
  const read = cellsFor(result, shown, options.maxColumns, given);
  const { layout, slots } = read;
  // The `…` column of left-out columns (an undefined slot) has `…` in every cell.
  const n = slots.length;
  // Whether every piece of the table is free of characters JSON escapes: then its JSON encoding
  // is its lines joined by `\n` in quotes, told to the message encoder (see rememberJsonString).
  let plain = true;
  const cell = (text: string): string => {
    if (!FOLD_OR_ESCAPE.test(text)) return text.length <= maxWidth ? text : clip(text, maxWidth);
    const clipped = clip(text, maxWidth);
    if (JSON_ESCAPED.test(clipped)) plain = false;
    return clipped;
  };
  const header: string[] = new Array<string>(n);
  const widths: number[] = new Array<number>(n);
  for (let i = 0; i < n; i += 1) {
    const column = slots[i];
    const h = column === undefined ? '…' : cell(column);
    header[i] = h;
    widths[i] = h.length;
  }
  const cells: string[] = new Array<string>(shown * n);
  const { text: values, flags } = read;
  for (let r = 0; r < shown; r += 1) {
    for (let i = 0; i < n; i += 1) {
      const at = r * n + i;
      if (slots[i] === undefined) {
        cells[at] = '…';
        continue;
      }
      const raw = values[at] as string;
      // A plain value needs no folding and has nothing JSON escapes: at most a clip.
      const v =
        raw === ''
          ? raw
          : ((flags[at] as number) & CELL_PLAIN) !== 0
            ? raw.length <= maxWidth
              ? raw
              : clip(raw, maxWidth)
            : cell(raw);
      cells[at] = v;
      if (v.length > (widths[i] as number)) widths[i] = v.length;
    }
  }
  // A cell is padded to its column's width plus two spaces; the padding is written only when a
  // value follows it, so lines carry no trailing spaces.
  const line = (values: readonly string[], at: number): string => {
    let text = '';
    let pad = 0;
    for (let i = 0; i < n; i += 1) {
      const v = values[at + i] as string;
      const width = widths[i] as number;
      if (v !== '') {
        if (pad > 0) text += spaces(pad);
        text += v;
        pad = width - v.length + 2;
      } else pad += width + 2;
    }
    return text.trimEnd();
  };
  const lines = [
    line(header, 0),
    line(
      widths.map((w) => '-'.repeat(w)),
      0,
    ),
  ];
  for (let r = 0; r < shown; r += 1) lines.push(line(cells, r * n));
  if (result.rows.length > shown) lines.push(`… ${plural(result.rows.length - shown, 'more row')}`);
  if (layout.hidden > 0) lines.push(`… ${hiddenColumnsNote(layout.hidden)}`);
  const summary = summaryLine(result.summary);
  lines.push(summary);
  const text = lines.join('\n');
  if (plain && !JSON_ESCAPED.test(summary)) rememberJsonString(text, `"${lines.join('\\n')}"`);
  return text;
}

/**
 * A result's shown cells as text, read once for both table renderers: the text and HTML tables
 * of a result show the same columns, so each value is looked up, turned into text and checked
 * for characters that need work in one pass instead of two.
 *
 * @since 0.1.0
 * @module
 */
import {
  cellText,
  columnSlots,
  layoutColumns,
  type ColumnLayout,
  type ResultView,
} from './table.js';

/**
 * Anything the text table folds (whitespace but a lone space) or the HTML table escapes (markup
 * characters, and what JSON escapes): a value with none of them is shown as it is by both.
 */
// eslint-disable-next-line no-control-regex -- control characters are what JSON escapes
const NEEDS_WORK = /[^\S ]| {2}|[&<>"'\\\u0000-\u001f\ud800-\udfff]/;

/** {@link TableCells.flags}: the value needs no folding and no escaping. @since 0.1.0 */
export const CELL_PLAIN = 1;
/** {@link TableCells.flags}: the value is a number (right-aligned in HTML). @since 0.1.0 */
export const CELL_NUMBER = 2;

/** The cells of the first rows of a result, row by row, for its shown columns. @since 0.1.0 */
export interface TableCells {
  /** The columns shown. */
  readonly layout: ColumnLayout;
  /** The shown columns in order, `undefined` for the `…` column (see `columnSlots`). */
  readonly slots: readonly (string | undefined)[];
  /** The `maxColumns` the layout was made with. */
  readonly maxColumns: number | undefined;
  /** How many rows were read. */
  readonly rows: number;
  /** Each cell's text (`''` for an absent value and in the `…` column), `rows × slots`. */
  readonly text: readonly string[];
  /** Each cell's {@link CELL_PLAIN} and {@link CELL_NUMBER} bits. */
  readonly flags: Uint8Array;
}

/**
 * Reads the first `rows` rows of `result` for the columns a `maxColumns` layout shows.
 *
 * @example
 * readCells({ columns: ['a'], rows: [{ a: 1 }], summary: { rows: 1 } }, 1).text // ['1']
 * @since 0.1.0
 */
export function readCells(result: ResultView, rows: number, maxColumns?: number): TableCells {
  const layout = layoutColumns(result.columns, maxColumns);
  const slots = columnSlots(layout);
  const n = slots.length;
  const count = Math.max(0, Math.min(rows, result.rows.length));
  const text: string[] = new Array<string>(count * n);
  const flags = new Uint8Array(count * n);
  for (let r = 0; r < count; r += 1) {
    const row = result.rows[r] as Readonly<Record<string, unknown>>;
    for (let i = 0; i < n; i += 1) {
      const at = r * n + i;
      const column = slots[i];
      if (column === undefined) {
        text[at] = '';
        flags[at] = CELL_PLAIN;
        continue;
      }
      const value = row[column];
      const raw = typeof value === 'string' ? value : cellText(value);
      text[at] = raw;
      flags[at] =
        (NEEDS_WORK.test(raw) ? 0 : CELL_PLAIN) | (typeof value === 'number' ? CELL_NUMBER : 0);
    }
  }
  return { layout, slots, maxColumns, rows: count, text, flags };
}

/**
 * The cells a renderer showing `shown` rows under `maxColumns` uses: `given` when it covers them,
 * else read now.
 *
 * @since 0.1.0
 */
export function cellsFor(
  result: ResultView,
  shown: number,
  maxColumns: number | undefined,
  given: TableCells | undefined,
): TableCells {
  return given !== undefined && given.maxColumns === maxColumns && given.rows >= shown
    ? given
    : readCells(result, shown, maxColumns);
}

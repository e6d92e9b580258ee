/**
 * The table renderer: a bordered table that fits the terminal width, or `undefined` when it cannot
 * (the caller then falls back to the vertical layout, like psql's `\x auto`). Drawing is done by
 * cli-table3; this module only decides the column widths.
 */
import Table from 'cli-table3';
import stringWidth from 'string-width';
import { cellText, type Row } from './format.js';

/** Options of {@link renderTable}. */
export interface TableOptions {
  /** Terminal width in columns; the table must fit in it. */
  readonly width: number;
  /** Widest a single column may be before its values are cut with `…` (default 40). */
  readonly maxColumnWidth?: number;
  /** Colour the header (default false). */
  readonly color?: boolean;
}

const oneLine = (s: string) => s.replace(/\r?\n/g, '⏎').replace(/\t/g, ' ');

/**
 * Renders `rows` as a table no wider than `options.width`, or returns `undefined` when the columns
 * do not fit even after cutting long values to `maxColumnWidth`.
 */
export function renderTable(
  columns: readonly string[],
  rows: readonly Row[],
  options: TableOptions,
): string | undefined {
  const cap = Math.max(8, options.maxColumnWidth ?? 40);
  const cells = rows.map((row) => columns.map((c) => oneLine(cellText(row[c]))));
  const widths = columns.map((c, i) => {
    let w = stringWidth(c);
    for (const line of cells) w = Math.max(w, stringWidth(line[i] ?? ''));
    return Math.min(w, cap);
  });
  // Each column takes its width plus one space of padding on both sides and one border.
  const total = widths.reduce((sum, w) => sum + w + 3, 1);
  if (columns.length === 0 || total > options.width) return undefined;
  const table = new Table({
    head: [...columns],
    colWidths: widths.map((w) => w + 2),
    wordWrap: false,
    truncate: '…',
    style: { head: options.color ? ['cyan'] : [], border: [], compact: true },
  });
  // Numbers align right, as in psql.
  const numeric = columns.map(
    (c) => rows.length > 0 && rows.every((r) => typeof r[c] === 'number' || r[c] === undefined),
  );
  for (const line of cells) {
    table.push(
      line.map((content, i) => (numeric[i] ? { content, hAlign: 'right' as const } : content)),
    );
  }
  return table.toString();
}

/**
 * The vertical (expanded) layout: one block per row, `column | value` per line, as psql's `\x`.
 */
import stringWidth from 'string-width';
import { cellText, type Row } from './format.js';

/** Renders one row as a vertical block headed `-[ RECORD n ]-`. */
export function renderVerticalRow(columns: readonly string[], row: Row, index: number): string {
  const keys = columns.filter((c) => row[c] !== undefined && row[c] !== '');
  const labelWidth = Math.max(0, ...keys.map((k) => stringWidth(k)));
  const lines = [`-[ RECORD ${index} ]${'-'.repeat(Math.max(3, labelWidth - 8))}`];
  for (const key of keys) {
    lines.push(`${key}${' '.repeat(labelWidth - stringWidth(key))} | ${cellText(row[key])}`);
  }
  return lines.join('\n');
}

/** Renders every row vertically, numbering from `start` (default 1). */
export function renderVertical(
  columns: readonly string[],
  rows: readonly Row[],
  start = 1,
): string {
  return rows.map((row, i) => renderVerticalRow(columns, row, start + i)).join('\n');
}

/**
 * CSV output (RFC 4180 quoting) through csv-stringify, one line per row so it can stream.
 */
import { stringify } from 'csv-stringify/sync';
import { cellText, type Row } from './format.js';

/** The CSV header line (with its line break). */
export function csvHeader(columns: readonly string[]): string {
  return stringify([columns as string[]]);
}

/** CSV lines for `rows` (each with its line break), columns in the given order. */
export function csvRows(columns: readonly string[], rows: readonly Row[]): string {
  return stringify(rows.map((row) => columns.map((c) => cellText(row[c]))));
}

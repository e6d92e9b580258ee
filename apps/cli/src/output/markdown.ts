/**
 * GitHub-flavoured markdown tables through `markdown-table`, with `|` and line breaks escaped so
 * a value can never break the table.
 */
import { markdownTable } from 'markdown-table';
import { cellText, type Row } from './format.js';

const escape = (s: string) =>
  s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');

/** Renders `rows` as a markdown table (an empty table still has its header). */
export function renderMarkdown(columns: readonly string[], rows: readonly Row[]): string {
  const head = columns.map(escape);
  const body = rows.map((row) => columns.map((c) => escape(cellText(row[c]))));
  return markdownTable([head, ...body]);
}

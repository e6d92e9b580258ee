/**
 * The `text/html` of results: a readable table with the summary, every value escaped.
 *
 * @since 0.1.0
 * @module
 */
import { escapeHtml } from '@baql/plugin-render-html';
import { rememberJsonString } from '../protocol/json-bytes.js';
import { CELL_NUMBER, CELL_PLAIN, cellsFor, type TableCells } from './cells.js';
import {
  formatCount,
  hiddenColumnsNote,
  JSON_ESCAPED,
  summaryLine,
  type ResultView,
  type SummaryView,
  type TableOptions,
} from './table.js';

/** Escapes text for HTML content and attribute values (shared with the HTML renderer plugin). */
export { escapeHtml };

/**
 * Characters `escapeHtml` rewrites, or that JSON escapes: most cells have none, and one test is
 * cheaper than a replace.
 */
// eslint-disable-next-line no-control-regex -- control characters are what JSON escapes
const NEEDS_ESCAPE = /[&<>"'\\\u0000-\u001f\ud800-\udfff]/;

/** Rows the HTML table shows by default; the rest is counted. @since 0.1.0 */
export const HTML_MAX_ROWS = 200;

/** The header and cells of the `…` column that stands for the columns left out. */
const GAP_HEAD = "<th title='columns not shown'>&hellip;</th>";
const GAP_CELL = '<td>&hellip;</td>';

/** Values longer than this (in characters) get a `title` tooltip: 32em holds at least this many. */
const TOOLTIP_AFTER = 32;

const STYLE =
  '<style>.baql-result table{border-collapse:collapse;font-size:12px}' +
  '.baql-result th,.baql-result td{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top;white-space:nowrap;max-width:32em;overflow:hidden;text-overflow:ellipsis}' +
  '.baql-result th{background:#f3f5f7}.baql-result .baql-summary{color:#555;font-size:11px;margin:4px 0}</style>';

/**
 * The summary line as HTML. Written with entities for its separators and arrow: the markup the
 * renderer adds stays within ASCII, so a result's HTML (unless its data has other characters) is
 * a string V8 UTF-8 encodes with a plain copy, where one `·` sent all of it down the per-character
 * path.
 */
const summaryHtml = (summary: SummaryView): string => {
  const { window, ...rest } = summary;
  const line = escapeHtml(summaryLine(rest)).replaceAll('·', '&middot;');
  if (window === undefined) return line;
  const defaulted = window.defaulted === true ? ' (default)' : '';
  return `${line} &middot; window ${escapeHtml(window.start)} &rarr; ${escapeHtml(window.end)}${defaulted}`;
};

/**
 * Renders a result as an HTML table with a summary line. Numbers are right-aligned.
 *
 * @since 0.1.0
 */
export function renderHtmlTable(
  result: ResultView,
  options: TableOptions = {},
  given?: TableCells,
): string {
  const maxRows = options.maxRows ?? HTML_MAX_ROWS;
  const shown = Math.min(maxRows, result.rows.length);
  const read = cellsFor(result, shown, options.maxColumns, given);
  // The `…` column of left-out columns is an undefined slot.
  const { layout, slots, text: values, flags } = read;
  const n = slots.length;
  // The markup has no double quote and no newline, so when no value holds a character JSON
  // escapes, the HTML's JSON encoding is the HTML in quotes (told to the message encoder).
  let plain = true;
  // Plain loops and one growing string: hundreds of cells a result, rendered on every run.
  let head = '';
  for (let i = 0; i < n; i += 1) {
    const slot = slots[i];
    if (slot === undefined) {
      head += GAP_HEAD;
      continue;
    }
    const column = escapeHtml(slot);
    if (JSON_ESCAPED.test(column)) plain = false;
    head += `<th>${column}</th>`;
  }
  let body = '';
  for (let r = 0; r < shown; r += 1) {
    body += '<tr>';
    for (let i = 0; i < n; i += 1) {
      if (slots[i] === undefined) {
        body += GAP_CELL;
        continue;
      }
      const at = r * n + i;
      const raw = values[at] as string;
      const flag = flags[at] as number;
      let text = raw;
      if ((flag & CELL_PLAIN) === 0 && NEEDS_ESCAPE.test(raw)) {
        text = escapeHtml(raw);
        if (JSON_ESCAPED.test(text)) plain = false;
      }
      // The tooltip is for text the 32em cap may cut; a short value is always shown whole, and
      // repeating every value in an attribute doubled the HTML a result sends.
      body +=
        (flag & CELL_NUMBER) !== 0
          ? `<td style='text-align:right'>${text}</td>`
          : raw.length > TOOLTIP_AFTER
            ? `<td title='${text}'>${text}</td>`
            : `<td>${text}</td>`;
    }
    body += '</tr>';
  }
  const moreRows =
    result.rows.length > shown
      ? `<p class='baql-summary'>&hellip; ${formatCount(result.rows.length - shown)} more rows not shown</p>`
      : '';
  const moreColumns =
    layout.hidden > 0
      ? `<p class='baql-summary'>&hellip; ${escapeHtml(hiddenColumnsNote(layout.hidden))}</p>`
      : '';
  const table =
    result.columns.length === 0 || result.rows.length === 0
      ? '<p><em>(no rows)</em></p>'
      : `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
  const summary = summaryHtml(result.summary);
  const html = `<div class='baql-result'>${STYLE}${table}${moreRows}${moreColumns}<p class='baql-summary'>${summary}</p></div>`;
  if (plain && !JSON_ESCAPED.test(summary)) rememberJsonString(html, `"${html}"`);
  return html;
}

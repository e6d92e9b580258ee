/**
 * `@baql/plugin-render-html`: result renderers for baql — `html` (a standalone, escaped HTML
 * table; the kernel shows it as `text/html`) and `markdown` (a GitHub-flavoured table for
 * notebooks, tickets and chat).
 *
 * @example
 * ```sh
 * baql 'type:login since 1d | count by channel' --format html > report.html
 * ```
 * @module
 */
import { definePlugin, type BaqlPlugin, type RenderInput, type Renderer } from '@baql/core';

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

const cell = (value: unknown): string =>
  value === undefined || value === null ? '' : String(value);
const isNumber = (value: unknown): boolean => typeof value === 'number';

/** Renders a result as an HTML table (numbers right-aligned, every value escaped). */
export function renderHtml(input: RenderInput): string {
  const head = input.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = input.rows
    .map(
      (row) =>
        `<tr>${input.columns.map((c) => `<td${isNumber(row[c]) ? ' class="num"' : ''}>${escapeHtml(cell(row[c]))}</td>`).join('')}</tr>`,
    )
    .join('\n');
  const caption = input.title === undefined ? '' : `<caption>${escapeHtml(input.title)}</caption>`;
  const footer =
    input.summary === undefined
      ? ''
      : `\n<p class="baql-summary">${input.summary.rows} row${input.summary.rows === 1 ? '' : 's'} in ${Math.round(input.summary.elapsedMs)} ms</p>`;
  return `<table class="baql-result">${caption}\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>${footer}\n`;
}

/** Escapes a markdown table cell (pipes, backslashes, newlines). */
export function escapeMarkdownCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/** Renders a result as a GitHub-flavoured markdown table (numeric columns right-aligned). */
export function renderMarkdown(input: RenderInput): string {
  const numeric = input.columns.map(
    (c) => input.rows.length > 0 && input.rows.every((r) => isNumber(r[c])),
  );
  const head = `| ${input.columns.map(escapeMarkdownCell).join(' | ')} |`;
  const rule = `|${numeric.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`;
  const rows = input.rows.map(
    (r) => `| ${input.columns.map((c) => escapeMarkdownCell(cell(r[c]))).join(' | ')} |`,
  );
  const title = input.title === undefined ? '' : `**${escapeMarkdownCell(input.title)}**\n\n`;
  const footer =
    input.summary === undefined
      ? ''
      : `\n\n_${input.summary.rows} row${input.summary.rows === 1 ? '' : 's'} in ${Math.round(input.summary.elapsedMs)} ms_`;
  return `${title}${[head, rule, ...rows].join('\n')}${footer}\n`;
}

/** The `html` renderer. */
export const htmlRenderer: Renderer = {
  mediaType: 'text/html',
  description: 'an HTML table',
  render: renderHtml,
};
/** The `markdown` renderer. */
export const markdownRenderer: Renderer = {
  mediaType: 'text/markdown',
  description: 'a GitHub-flavoured markdown table',
  render: renderMarkdown,
};

/** The plugin. */
export const renderHtmlPlugin: BaqlPlugin = definePlugin({
  name: '@baql/plugin-render-html',
  description: 'HTML and markdown result renderers',
  renderers: { html: htmlRenderer, markdown: markdownRenderer },
});

export default renderHtmlPlugin;

/**
 * Row sinks: the one place that turns a stream of rows into text in a chosen format. Streaming
 * formats (ndjson, csv, json, vertical) print each row as it arrives; table and markdown collect
 * the rows first because their column widths depend on every row.
 */
import { csvHeader, csvRows } from './csv.js';
import { cellText, inferColumns, type OutputFormat, type Row } from './format.js';
import { renderMarkdown } from './markdown.js';
import { renderTable } from './table.js';
import { renderVertical, renderVerticalRow } from './vertical.js';
import type { TextWriter } from './writer.js';

/** Options of {@link createSink}. */
export interface SinkOptions {
  /** The result's columns when known up front; otherwise taken from the rows. */
  readonly columns?: readonly string[] | undefined;
  /** Terminal width for `table` (default 100). */
  readonly width?: number | undefined;
  /** Colour where the format allows it. */
  readonly color?: boolean | undefined;
}

/** Receives rows, writes text. */
export interface RowSink {
  /** Adds one row; may return a promise when the output is applying back-pressure. */
  write(row: Row): void | Promise<void>;
  /** Writes what is left (the table, the closing `]`) and flushes. */
  end(): Promise<void>;
  /** Rows written so far. */
  readonly count: number;
  /** The layout actually used (`table` falls back to `vertical` when too wide). */
  readonly layout: OutputFormat;
}

/** Renders the rows of a finished result in `format` as one string (REPL, tests). */
export function renderRows(
  format: OutputFormat,
  columns: readonly string[],
  rows: readonly Row[],
  options: { width?: number; color?: boolean } = {},
): { text: string; layout: OutputFormat } {
  const cols = columns.length > 0 ? columns : inferColumns(rows);
  switch (format) {
    case 'table': {
      const table = renderTable(cols, rows, {
        width: options.width ?? 100,
        ...(options.color === undefined ? {} : { color: options.color }),
      });
      if (table !== undefined) return { text: `${table}\n`, layout: 'table' };
      return { text: rows.length ? `${renderVertical(cols, rows)}\n` : '', layout: 'vertical' };
    }
    case 'vertical':
      return { text: rows.length ? `${renderVertical(cols, rows)}\n` : '', layout: 'vertical' };
    case 'markdown':
      return { text: `${renderMarkdown(cols, rows)}\n`, layout: 'markdown' };
    case 'csv':
      return { text: csvHeader(cols) + csvRows(cols, rows), layout: 'csv' };
    case 'json':
      return { text: `${JSON.stringify(rows, null, 2)}\n`, layout: 'json' };
    case 'ndjson':
      return { text: rows.map((r) => `${JSON.stringify(r)}\n`).join(''), layout: 'ndjson' };
  }
}

/** A sink that writes rows to `out` in `format`. */
export function createSink(
  format: OutputFormat,
  out: TextWriter,
  options: SinkOptions = {},
): RowSink {
  let count = 0;
  let columns = options.columns && options.columns.length > 0 ? [...options.columns] : undefined;
  const columnsFor = (row: Row) => (columns ??= inferColumns([row]));
  let layout: OutputFormat = format;
  switch (format) {
    case 'ndjson':
      return {
        write(row) {
          count += 1;
          return out.write(`${JSON.stringify(row)}\n`);
        },
        async end() {
          await out.flush();
        },
        get count() {
          return count;
        },
        layout,
      };
    case 'json':
      return {
        write(row) {
          count += 1;
          return out.write(`${count === 1 ? '[\n  ' : ',\n  '}${JSON.stringify(row)}`);
        },
        async end() {
          await out.write(count === 0 ? '[]\n' : '\n]\n');
          await out.flush();
        },
        get count() {
          return count;
        },
        layout,
      };
    case 'csv':
      return {
        write(row) {
          const cols = columns ?? columnsFor(row);
          count += 1;
          return out.write((count === 1 ? csvHeader(cols) : '') + csvRows(cols, [row]));
        },
        async end() {
          if (count === 0 && columns) await out.write(csvHeader(columns));
          await out.flush();
        },
        get count() {
          return count;
        },
        layout,
      };
    case 'vertical':
      return {
        write(row) {
          count += 1;
          return out.write(`${renderVerticalRow(columns ?? columnsFor(row), row, count)}\n`);
        },
        async end() {
          await out.flush();
        },
        get count() {
          return count;
        },
        layout,
      };
    case 'table':
    case 'markdown': {
      const rows: Row[] = [];
      return {
        write(row) {
          rows.push(row);
          count += 1;
        },
        async end() {
          const rendered = renderRows(format, columns ?? [], rows, {
            ...(options.width === undefined ? {} : { width: options.width }),
            ...(options.color === undefined ? {} : { color: options.color }),
          });
          layout = rendered.layout;
          await out.write(rendered.text);
          await out.flush();
        },
        get count() {
          return count;
        },
        get layout() {
          return layout;
        },
      };
    }
  }
}

export { cellText };

/**
 * The MIME bundle of a query result: `text/plain`, `text/html` (escaped table + summary),
 * `application/json`, and a Vega-Lite chart for `timechart` and `count by`.
 *
 * @since 0.1.0
 * @module
 */
import type { MimeBundle } from '../language.js';
import { readCells } from './cells.js';
import { HTML_MAX_ROWS, renderHtmlTable } from './html.js';
import { renderTextTable, TEXT_MAX_ROWS, type ResultView, type SummaryView } from './table.js';
import { chartKindOf, VEGA_LITE_MIME, vegaLiteSpec } from './vega-lite.js';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

/**
 * Reads a `@baql/core` `QueryResult` (`{rows, columns, summary, window, kind}`) into a
 * {@link ResultView}. Columns may be names or `{name}` objects; without columns, the rows' keys
 * in order of appearance.
 *
 * @since 0.1.0
 */
export function toResultView(result: unknown): ResultView {
  const r = isRecord(result) ? result : {};
  const rows = (Array.isArray(r['rows']) ? r['rows'] : []).filter(isRecord);
  let columns: string[] = (Array.isArray(r['columns']) ? r['columns'] : [])
    .map((c: unknown) =>
      typeof c === 'string'
        ? c
        : isRecord(c) && typeof c['name'] === 'string'
          ? c['name']
          : undefined,
    )
    .filter((c): c is string => c !== undefined);
  if (columns.length === 0) {
    const seen = new Set<string>();
    for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
    columns = [...seen];
  }
  const s = isRecord(r['summary']) ? r['summary'] : {};
  const w = isRecord(s['window']) ? s['window'] : isRecord(r['window']) ? r['window'] : undefined;
  const opt = (key: string) => {
    const value = num(s[key]);
    return value === undefined ? {} : { [key]: value };
  };
  const summary: SummaryView = {
    rows: num(s['rows']) ?? rows.length,
    ...opt('requests'),
    ...opt('pages'),
    ...opt('retries'),
    ...opt('bytes'),
    ...opt('elapsedMs'),
    ...(w !== undefined && typeof w['start'] === 'string' && typeof w['end'] === 'string'
      ? { window: { start: w['start'], end: w['end'], defaulted: w['defaulted'] === true } }
      : {}),
  };
  return { columns, rows, summary };
}

/** Rows kept in `application/json` (the table shows fewer). @since 0.1.0 */
export const JSON_ROW_LIMIT = 10_000;

/** Options of {@link resultBundles}. @since 0.1.0 */
export interface BundleOptions {
  /** Include `application/json` in the table bundle (default true). */
  readonly json?: boolean;
  /** Rows the text and HTML tables show (default: each renderer's own, 50 and 200). */
  readonly maxRows?: number;
  /** Columns the text and HTML tables show (default 20; `application/json` keeps them all). */
  readonly maxColumns?: number;
}

/**
 * The bundles of a result: the table (`text/plain`, `text/html`, `application/json`) and, for a
 * `| timechart` or `| count by` query, a chart bundle (`application/vnd.vegalite.v5+json` with a
 * `text/plain` fallback). The chart is a bundle of its own because front-ends show one MIME type
 * per output, and JupyterLab ranks `text/html` above Vega-Lite.
 *
 * @since 0.1.0
 */
export function resultBundles(
  view: ResultView,
  query = '',
  options: BundleOptions = {},
): { readonly table: MimeBundle; readonly chart?: MimeBundle } {
  const kind = chartKindOf(query);
  const spec = kind === undefined ? undefined : vegaLiteSpec(view, kind);
  const limits = {
    ...(options.maxRows === undefined ? {} : { maxRows: options.maxRows }),
    ...(options.maxColumns === undefined ? {} : { maxColumns: options.maxColumns }),
  };
  // Both tables show the same columns: their cells are read once, for the rows the longer shows.
  const cells = readCells(
    view,
    options.maxRows ?? Math.max(TEXT_MAX_ROWS, HTML_MAX_ROWS),
    options.maxColumns,
  );
  const table: MimeBundle = {
    'text/plain': renderTextTable(view, limits, cells),
    'text/html': renderHtmlTable(view, limits, cells),
    ...(options.json === false
      ? {}
      : {
          'application/json': {
            columns: view.columns,
            rows: view.rows.slice(0, JSON_ROW_LIMIT),
            summary: view.summary,
            truncated: view.rows.length > JSON_ROW_LIMIT,
          },
        }),
  };
  if (spec === undefined) return { table };
  const what = kind === 'timechart' ? 'line chart over time' : 'bar chart';
  return {
    table,
    chart: { [VEGA_LITE_MIME]: spec, 'text/plain': `<${what} of ${view.rows.length} rows>` },
  };
}

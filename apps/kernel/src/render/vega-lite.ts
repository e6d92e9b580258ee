/**
 * Charts for aggregate results: a Vega-Lite v5 line chart for `timechart`, a bar chart for
 * `count by`, as `application/vnd.vegalite.v5+json`. Column roles are read from the data (a time
 * column, numeric series, categories), so the chart follows whatever columns the pipeline made.
 *
 * @since 0.1.0
 * @module
 */
import type { ResultView } from './table.js';

/** The MIME type JupyterLab renders as a Vega-Lite 5 chart. @since 0.1.0 */
export const VEGA_LITE_MIME = 'application/vnd.vegalite.v5+json';

/** The Vega-Lite v5 schema URL. @since 0.1.0 */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** Which chart a pipeline asks for. @since 0.1.0 */
export type ChartKind = 'timechart' | 'count-by';

/**
 * The chart kind of a query, from its last pipeline stage other than `sort` and `limit`
 * (`| timechart …` or `| count by …`). Pipes inside quotes and comments are ignored.
 *
 * @since 0.1.0
 */
export function chartKindOf(query: string): ChartKind | undefined {
  const stages: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let i = 0; i < query.length; i += 1) {
    const c = query[i] as string;
    if (quote !== undefined) {
      if (c === '\\') {
        current += c + (query[i + 1] ?? '');
        i += 1;
        continue;
      }
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#') {
      // a comment, to the end of the line
      while (i + 1 < query.length && query[i + 1] !== '\n') i += 1;
      continue;
    } else if (c === '|') {
      stages.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  if (stages.length === 0) return undefined;
  // `sort` and `limit` keep the aggregate's columns: `| count by user | sort count | limit 3` is
  // still a chart of counts.
  const tail = [...stages.slice(1), current].map((st) => st.trim().toLowerCase()).reverse();
  const deciding = tail.find((st) => !/^(sort|limit)\b/.test(st)) ?? '';
  if (/^timechart\b/.test(deciding)) return 'timechart';
  if (/^count\s+by\b/.test(deciding)) return 'count-by';
  return undefined;
}

const isNumeric = (value: unknown): boolean =>
  typeof value === 'number'
    ? Number.isFinite(value)
    : typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value));

const isTime = (value: unknown): boolean =>
  typeof value === 'string' &&
  /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}.*)?$/.test(value) &&
  Number.isFinite(Date.parse(value));

const every = (result: ResultView, column: string, test: (v: unknown) => boolean): boolean => {
  const present = result.rows
    .map((r) => r[column])
    .filter((v) => v !== undefined && v !== null && v !== '');
  return present.length > 0 && present.every(test);
};

/** The columns of a result by role. @since 0.1.0 */
export interface ColumnRoles {
  readonly time?: string;
  readonly numeric: readonly string[];
  readonly categories: readonly string[];
}

/** Sorts a result's columns into a time column, numeric series and categories. @since 0.1.0 */
export function columnRoles(result: ResultView): ColumnRoles {
  const time = result.columns.find((c) => every(result, c, isTime));
  const rest = result.columns.filter((c) => c !== time);
  const numeric = rest.filter((c) => every(result, c, isNumeric));
  const categories = rest.filter((c) => !numeric.includes(c));
  return { ...(time === undefined ? {} : { time }), numeric, categories };
}

const values = (result: ResultView, numeric: readonly string[]) =>
  result.rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([k, v]) => [
        k,
        numeric.includes(k) && typeof v === 'string' ? Number(v) : v,
      ]),
    ),
  );

/**
 * The Vega-Lite v5 spec of a `timechart` or `count by` result, or `undefined` when its columns
 * do not fit the chart (no numeric column, no time column for a timechart, no rows).
 *
 * @since 0.1.0
 */
export function vegaLiteSpec(
  result: ResultView,
  kind: ChartKind,
  title?: string,
): Record<string, unknown> | undefined {
  if (result.rows.length === 0) return undefined;
  const roles = columnRoles(result);
  const [measure] = roles.numeric;
  if (measure === undefined) return undefined;
  const base = {
    $schema: VEGA_LITE_SCHEMA,
    ...(title === undefined ? {} : { title }),
    width: 'container',
    height: 240,
    data: { values: values(result, roles.numeric) },
  };
  if (kind === 'timechart') {
    if (roles.time === undefined) return undefined;
    const x = { field: roles.time, type: 'temporal', title: roles.time };
    const [category] = roles.categories;
    if (roles.numeric.length > 1) {
      return {
        ...base,
        transform: [{ fold: [...roles.numeric], as: ['series', 'value'] }],
        mark: { type: 'line', point: true },
        encoding: {
          x,
          y: { field: 'value', type: 'quantitative', title: 'count' },
          color: { field: 'series', type: 'nominal' },
          tooltip: [
            x,
            { field: 'series', type: 'nominal' },
            { field: 'value', type: 'quantitative' },
          ],
        },
      };
    }
    const y = { field: measure, type: 'quantitative', title: measure };
    const color =
      category === undefined ? undefined : { field: category, type: 'nominal', title: category };
    return {
      ...base,
      mark: { type: 'line', point: true },
      encoding: {
        x,
        y,
        ...(color === undefined ? {} : { color }),
        tooltip: [x, ...(color === undefined ? [] : [color]), y],
      },
    };
  }
  const [first, second] = roles.categories;
  const xField = first ?? roles.time;
  if (xField === undefined) return undefined;
  const x = { field: xField, type: 'nominal', title: xField, sort: '-y' };
  const y = { field: measure, type: 'quantitative', title: measure };
  const color =
    second === undefined ? undefined : { field: second, type: 'nominal', title: second };
  return {
    ...base,
    mark: { type: 'bar' },
    encoding: {
      x,
      y,
      ...(color === undefined ? {} : { color }),
      tooltip: [{ field: xField, type: 'nominal' }, ...(color === undefined ? [] : [color]), y],
    },
  };
}

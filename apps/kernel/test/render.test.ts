import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { jsonBytes } from '../src/protocol/json-bytes.js';
import { resultBundles } from '../src/render/bundle.js';
import { escapeHtml, renderHtmlTable } from '../src/render/html.js';
import {
  cellText,
  columnSlots,
  formatCount,
  layoutColumns,
  renderTextTable,
  summaryLine,
  type ResultView,
} from '../src/render/table.js';
import {
  chartKindOf,
  columnRoles,
  vegaLiteSpec,
  VEGA_LITE_SCHEMA,
} from '../src/render/vega-lite.js';

const summary = { rows: 2, requests: 1, pages: 1, retries: 0, bytes: 2048, elapsedMs: 12.4 };
const rows: ResultView = {
  columns: ['eventId', 'user', 'note'],
  rows: [
    { eventId: 'login', user: 'alice', note: '<script>alert("x")</script>' },
    { eventId: 'transfer', user: "o'brien & co" },
  ],
  summary,
};

describe('text table', () => {
  it('aligns columns and ends with the summary', () => {
    const text = renderTextTable(rows);
    expect(text.split('\n')).toEqual([
      'eventId   user          note',
      '--------  ------------  ---------------------------',
      'login     alice         <script>alert("x")</script>',
      "transfer  o'brien & co",
      '2 rows · 1 request · 1 page · 0 retries · 2.0 KB · 12 ms',
    ]);
  });

  it('clips wide values and counts rows not shown', () => {
    const many: ResultView = {
      columns: ['v'],
      rows: Array.from({ length: 5 }, (_, i) => ({ v: `${i}`.repeat(60) })),
      summary: { rows: 5 },
    };
    const text = renderTextTable(many, { maxRows: 2, maxWidth: 10 });
    expect(text).toContain('000000000…');
    expect(text).toContain('… 3 more rows');
    expect(renderTextTable({ columns: [], rows: [], summary: { rows: 0 } })).toBe(
      '(no rows)\n0 rows',
    );
  });

  it('shows the first and last columns of a wide result around a … column, and counts the rest', () => {
    const wide: ResultView = {
      columns: ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
      rows: [{ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7 }],
      summary: { rows: 1 },
    };
    expect(renderTextTable(wide, { maxColumns: 4 }).split('\n')).toEqual([
      'a  b  …  f  g',
      '-  -  -  -  -',
      '1  2  …  6  7',
      '… 3 more columns not shown (%display columns=all shows every column)',
      '1 row',
    ]);
    expect(renderTextTable(wide, { maxColumns: Infinity }).split('\n')[0]).toBe(
      'a  b  c  d  e  f  g',
    );
    // 20 columns by default.
    const forty: ResultView = {
      columns: Array.from({ length: 40 }, (_, i) => `c${i}`),
      rows: [Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`c${i}`, i]))],
      summary: { rows: 1 },
    };
    const header = renderTextTable(forty).split('\n')[0]?.split(/ +/);
    expect(header).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `c${i}`),
      '…',
      ...Array.from({ length: 10 }, (_, i) => `c${30 + i}`),
    ]);
    expect(renderTextTable(forty)).toContain('… 20 more columns not shown');
  });

  it('columnSlots puts the gap where layoutColumns says', () => {
    expect(columnSlots(layoutColumns(['a', 'b', 'c', 'd', 'e'], 4))).toEqual([
      'a',
      'b',
      undefined,
      'd',
      'e',
    ]);
    expect(columnSlots(layoutColumns(['a', 'b', 'c'], 1))).toEqual(['a', undefined]);
    expect(columnSlots(layoutColumns(['a', 'b'], 2))).toEqual(['a', 'b']);
  });

  it('layoutColumns keeps ⌈max/2⌉ first and ⌊max/2⌋ last columns', () => {
    expect(layoutColumns(['a', 'b', 'c', 'd', 'e'], 4)).toEqual({
      shown: ['a', 'b', 'd', 'e'],
      gapAt: 2,
      hidden: 1,
    });
    expect(layoutColumns(['a', 'b', 'c'], 1)).toEqual({ shown: ['a'], gapAt: 1, hidden: 2 });
    expect(layoutColumns(['a', 'b'], 2)).toEqual({ shown: ['a', 'b'], gapAt: -1, hidden: 0 });
    expect(layoutColumns(['a', 'b'], Infinity)).toEqual({
      shown: ['a', 'b'],
      gapAt: -1,
      hidden: 0,
    });
  });

  it('formatCount groups thousands as toLocaleString does (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer(),
          fc.maxSafeInteger(),
          fc.maxSafeInteger().map((n) => -n),
        ),
        (n) => {
          expect(formatCount(n)).toBe(n.toLocaleString('en-US'));
        },
      ),
    );
    expect(formatCount(1234567)).toBe('1,234,567');
  });

  it('summary shows the window', () => {
    expect(summaryLine({ rows: 1, window: { start: 'a', end: 'b', defaulted: true } })).toBe(
      '1 row · window a → b (default)',
    );
  });
});

describe('html table', () => {
  it('escapes every value and header', () => {
    const html = renderHtmlTable(rows);
    expect(html).toContain('<th>eventId</th>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('o&#39;brien &amp; co');
    expect(html).not.toContain('<script>');
    expect(html).toContain('2 rows &middot; 1 request');
  });

  it('writes its own markup within ASCII (entities for the separators, arrow and ellipsis)', () => {
    const html = renderHtmlTable(
      {
        columns: ['v'],
        rows: [{ v: 'a' }, { v: 'b' }, { v: 'c' }],
        summary: { rows: 3, window: { start: 's<', end: 'e', defaulted: true } },
      },
      { maxRows: 1 },
    );
    expect(html).toContain('3 rows &middot; window s&lt; &rarr; e (default)');
    expect(html).toContain('&hellip; 2 more rows not shown');
    expect([...html].every((c) => c.charCodeAt(0) < 0x80)).toBe(true);
  });

  it('never lets markup through (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (column, value) => {
        const html = renderHtmlTable({
          columns: [column],
          rows: [{ [column]: value }],
          summary: { rows: 1 },
        });
        const cells = html
          .replace(/<\/?(div|style|table|thead|tbody|tr|th|td|p)\b[^>]*>/g, '')
          .replace(/\.baql-result[^<]*/g, '');
        expect(cells).not.toMatch(/[<>]/);
        expect(escapeHtml(value)).not.toMatch(/[<>"']/);
      }),
    );
  });
});

describe('vega-lite', () => {
  it('finds the chart kind from the last pipeline stage', () => {
    expect(chartKindOf('type:login | timechart span=1h')).toBe('timechart');
    expect(chartKindOf('type:login | count by channel')).toBe('count-by');
    expect(chartKindOf('type:login | count by channel | head 3')).toBeUndefined();
    expect(chartKindOf('type:login | count by user | sort count desc | limit 3')).toBe('count-by');
    expect(chartKindOf('since 1d | timechart 1h | limit 5')).toBe('timechart');
    expect(chartKindOf('type:login | count by user | fields user')).toBeUndefined();
    expect(chartKindOf('type:login # not | count by x\n| fields user')).toBeUndefined();
    expect(chartKindOf('note:"a | timechart"')).toBeUndefined();
    expect(chartKindOf('type:login')).toBeUndefined();
  });

  it('charts count by as a bar chart sorted by count', () => {
    const result: ResultView = {
      columns: ['channel', 'count'],
      rows: [
        { channel: 'ONLINE', count: 5 },
        { channel: 'MOBILE', count: '3' },
      ],
      summary: { rows: 2 },
    };
    expect(columnRoles(result)).toEqual({ numeric: ['count'], categories: ['channel'] });
    const spec = vegaLiteSpec(result, 'count-by', 'by channel');
    expect(spec).toMatchObject({
      $schema: VEGA_LITE_SCHEMA,
      title: 'by channel',
      mark: { type: 'bar' },
      data: {
        values: [
          { channel: 'ONLINE', count: 5 },
          { channel: 'MOBILE', count: 3 },
        ],
      },
      encoding: {
        x: { field: 'channel', type: 'nominal', sort: '-y' },
        y: { field: 'count', type: 'quantitative' },
      },
    });
  });

  it('charts a timechart as a temporal line, split by a category or folded series', () => {
    const long: ResultView = {
      columns: ['time', 'type', 'count'],
      rows: [
        { time: '2026-04-27T16:00:00.000-07:00', type: 'login', count: 2 },
        { time: '2026-04-27T17:00:00.000-07:00', type: 'login', count: 4 },
      ],
      summary: { rows: 2 },
    };
    expect(vegaLiteSpec(long, 'timechart')).toMatchObject({
      mark: { type: 'line' },
      encoding: {
        x: { field: 'time', type: 'temporal' },
        y: { field: 'count', type: 'quantitative' },
        color: { field: 'type', type: 'nominal' },
      },
    });
    const wide: ResultView = {
      columns: ['_time', 'login', 'logout'],
      rows: [{ _time: '2026-04-27', login: 1, logout: 0 }],
      summary: { rows: 1 },
    };
    expect(vegaLiteSpec(wide, 'timechart')).toMatchObject({
      transform: [{ fold: ['login', 'logout'], as: ['series', 'value'] }],
      encoding: { x: { field: '_time', type: 'temporal' }, color: { field: 'series' } },
    });
  });

  it('gives no chart when the columns do not fit', () => {
    const text: ResultView = { columns: ['a'], rows: [{ a: 'x' }], summary: { rows: 1 } };
    expect(vegaLiteSpec(text, 'count-by')).toBeUndefined();
    expect(
      vegaLiteSpec({ columns: ['n'], rows: [{ n: 1 }], summary: { rows: 1 } }, 'timechart'),
    ).toBeUndefined();
    expect(
      vegaLiteSpec({ columns: [], rows: [], summary: { rows: 0 } }, 'count-by'),
    ).toBeUndefined();
  });
});

// The renderers as first written (map, padEnd, join): the oracle for the faster loops.
// A cap on columns is the same table over the shown columns, with a `…` column at the gap.
const GAP = Symbol('gap');
const capped = (result: ResultView, maxColumns: number): (string | typeof GAP)[] => {
  const { shown, gapAt } = layoutColumns(result.columns, maxColumns);
  return gapAt < 0 ? [...shown] : [...shown.slice(0, gapAt), GAP, ...shown.slice(gapAt)];
};

const referenceText = (
  result: ResultView,
  maxRows = 50,
  maxWidth = 40,
  maxColumns = 20,
): string => {
  const clip = (text: string) => {
    const flat = text.replace(/\s+/g, ' ');
    return flat.length <= maxWidth ? flat : `${flat.slice(0, maxWidth - 1)}…`;
  };
  const shown = result.rows.slice(0, maxRows);
  if (result.columns.length === 0 || result.rows.length === 0)
    return `(no rows)\n${summaryLine(result.summary)}`;
  const columns = capped(result, maxColumns);
  const hidden = result.columns.length - columns.filter((c) => c !== GAP).length;
  const header = columns.map((c) => (c === GAP ? '…' : clip(c)));
  const cells = shown.map((row) => columns.map((c) => (c === GAP ? '…' : clip(cellText(row[c])))));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : `${v.padEnd(widths[i]!)}  `))
      .join('')
      .trimEnd();
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map(line),
    ...(result.rows.length > shown.length
      ? [
          `… ${formatCount(result.rows.length - shown.length)} more row${result.rows.length - shown.length === 1 ? '' : 's'}`,
        ]
      : []),
    ...(hidden > 0
      ? [
          `… ${hidden} more column${hidden === 1 ? '' : 's'} not shown (%display columns=all shows every column)`,
        ]
      : []),
    summaryLine(result.summary),
  ].join('\n');
};

const referenceRows = (result: ResultView, maxRows = 200, maxColumns = 20): string =>
  result.rows
    .slice(0, maxRows)
    .map(
      (row) =>
        `<tr>${capped(result, maxColumns)
          .map((c) => {
            if (c === GAP) return '<td>&hellip;</td>';
            const raw = cellText(row[c]);
            const text = escapeHtml(raw);
            return typeof row[c] === 'number'
              ? `<td style='text-align:right'>${text}</td>`
              : raw.length > 32
                ? `<td title='${text}'>${text}</td>`
                : `<td>${text}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('');

describe('renderers against their first versions (property)', () => {
  const cell = fc.oneof(
    fc.string({ maxLength: 50 }),
    fc.constantFrom('', ' ', 'a  b', 'tab\there', 'end ', ' start', 'x'.repeat(45), '<&>'),
    fc.integer(),
    fc.double({ noNaN: true }),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
  );
  const view = fc
    .uniqueArray(fc.string({ maxLength: 12 }), { minLength: 0, maxLength: 8 })
    .chain((columns) =>
      fc.record({
        columns: fc.constant(columns),
        rows: fc.array(
          fc
            .tuple(...columns.map(() => cell))
            .map((values) => Object.fromEntries(columns.map((c, i) => [c, values[i]]))),
          { maxLength: 8 },
        ),
        summary: fc.record({ rows: fc.nat() }),
      }),
    );

  it('the text table is the same', () => {
    fc.assert(
      fc.property(
        view,
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 2, max: 50 }),
        fc.integer({ min: 1, max: 9 }),
        (v, maxRows, maxWidth, maxColumns) => {
          expect(renderTextTable(v, { maxRows, maxWidth, maxColumns })).toBe(
            referenceText(v, maxRows, maxWidth, maxColumns),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a result serialises byte for byte as JSON.stringify, tricky characters included', () => {
    // Tables big enough for the encoder's large-string path (where the renderers' own JSON
    // encodings are used), with values JSON must escape: quotes, backslashes, control
    // characters, lone and paired surrogates.
    const tricky = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom(
        'say "hi"',
        'C:\\temp',
        'a\u0001b',
        'tab\there',
        'lone \ud800',
        '😀 ok',
        '\u2028',
      ),
    );
    const big = fc
      .uniqueArray(fc.string({ minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 6 })
      .chain((columns) =>
        fc.record({
          columns: fc.constant(columns),
          rows: fc.array(
            fc
              .tuple(
                ...columns.map(() => fc.oneof(tricky, fc.constant('x'.repeat(40)), fc.integer())),
              )
              .map((values) => Object.fromEntries(columns.map((c, i) => [c, values[i]]))),
            { minLength: 20, maxLength: 60 },
          ),
          summary: fc.record({ rows: fc.nat() }),
        }),
      );
    fc.assert(
      fc.property(big, (v) => {
        const { table } = resultBundles(v);
        const content = { execution_count: 1, data: table, metadata: {} };
        expect(jsonBytes(content).equals(Buffer.from(JSON.stringify(content), 'utf8'))).toBe(true);
      }),
      { numRuns: 150 },
    );
    // And the plain path is taken for a plain table (its JSON is remembered, not recomputed).
    const plainTable: ResultView = {
      columns: ['a', 'b'],
      rows: Array.from({ length: 100 }, (_, i) => ({ a: `row ${i}`, b: 'x'.repeat(39) })),
      summary: { rows: 100 },
    };
    const bundle = resultBundles(plainTable).table;
    const content = { data: bundle };
    const stringify = vi.spyOn(JSON, 'stringify');
    let encoded: string;
    try {
      encoded = jsonBytes(content).toString('utf8');
      const large = [bundle['text/plain'], bundle['text/html']];
      // Both are large strings (≥ 2048 characters), encoded apart from the rest.
      expect(large.map((t) => String(t).length >= 2048)).toEqual([true, true]);
      expect(stringify.mock.calls.filter(([value]) => large.includes(value as string))).toEqual([]);
    } finally {
      stringify.mockRestore();
    }
    expect(encoded).toBe(JSON.stringify(content));
  });

  it('the tables of a result bundle, from cells read once, are what the renderers write alone', () => {
    fc.assert(
      fc.property(
        view,
        fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }),
        (v, maxRows, maxColumns) => {
          const limits = {
            ...(maxRows === undefined ? {} : { maxRows }),
            ...(maxColumns === undefined ? {} : { maxColumns }),
          };
          const { table } = resultBundles(v, '', limits);
          expect(table['text/plain']).toBe(renderTextTable(v, limits));
          expect(table['text/html']).toBe(renderHtmlTable(v, limits));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the HTML rows are the same', () => {
    fc.assert(
      fc.property(
        view,
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 9 }),
        (v, maxRows, maxColumns) => {
          const html = renderHtmlTable(v, { maxRows, maxColumns });
          if (v.columns.length > 0 && v.rows.length > 0)
            expect(html).toContain(`<tbody>${referenceRows(v, maxRows, maxColumns)}</tbody>`);
          const hidden = Math.max(0, v.columns.length - maxColumns);
          expect(html.includes(`&hellip; ${hidden} more column`)).toBe(hidden > 0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml, renderHtmlTable } from '../src/render/html.js';
import { formatCount, renderTextTable, summaryLine, type ResultView } from '../src/render/table.js';
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
    expect(html).toContain('2 rows · 1 request');
  });

  it('writes its own markup within Latin-1 (entities for the arrow and the ellipsis)', () => {
    const html = renderHtmlTable(
      {
        columns: ['v'],
        rows: [{ v: 'a' }, { v: 'b' }, { v: 'c' }],
        summary: { rows: 3, window: { start: 's<', end: 'e', defaulted: true } },
      },
      { maxRows: 1 },
    );
    expect(html).toContain('window s&lt; &rarr; e (default)');
    expect(html).toContain('&hellip; 2 more rows not shown');
    expect([...html].every((c) => c.charCodeAt(0) <= 0xff)).toBe(true);
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

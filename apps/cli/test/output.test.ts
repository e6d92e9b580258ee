import { describe, expect, it } from 'vitest';
import { createSink, renderRows } from '../src/output/sink.js';
import { renderTable } from '../src/output/table.js';
import { stringWriter } from '../src/output/writer.js';
import { formatFromPath, isOutputFormat } from '../src/output/format.js';
import { progressText, createProgressLine } from '../src/progress.js';
import { parse as parseCsv } from 'csv-parse/sync';

const rows = [
  { eventId: 'login', user: 'alice', note: 'has, comma' },
  { eventId: 'transfer', user: 'bob', note: 'say "hi"\nbye' },
];
const columns = ['eventId', 'user', 'note'];

describe('output renderers', () => {
  it('draws a table that fits the width, with every value', () => {
    const text = renderTable(columns, rows, { width: 80 });
    expect(text).toBeDefined();
    for (const line of text!.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(text).toContain('transfer');
    expect(text).toContain('alice');
  });

  it('falls back to the vertical layout when the table is too wide', () => {
    const { text, layout } = renderRows('table', columns, rows, { width: 20 });
    expect(layout).toBe('vertical');
    expect(text).toContain('-[ RECORD 1 ]');
    expect(text).toMatch(/user\s+\| bob/);
  });

  it('writes CSV that a CSV parser reads back exactly', () => {
    const { text } = renderRows('csv', columns, rows);
    const parsed = parseCsv(text, { columns: true }) as Record<string, string>[];
    expect(parsed).toEqual(rows);
  });

  it('streams ndjson and json that parse back to the rows', async () => {
    for (const format of ['ndjson', 'json'] as const) {
      const out = stringWriter();
      const sink = createSink(format, out, { columns });
      for (const row of rows) await sink.write(row);
      await sink.end();
      const back =
        format === 'json'
          ? JSON.parse(out.text())
          : out
              .text()
              .trim()
              .split('\n')
              .map((l) => JSON.parse(l));
      expect(back).toEqual(rows);
      expect(sink.count).toBe(2);
    }
  });

  it('prints an empty json array and a csv header for no rows', async () => {
    const out = stringWriter();
    const sink = createSink('json', out);
    await sink.end();
    expect(JSON.parse(out.text())).toEqual([]);
    const csv = stringWriter();
    const s2 = createSink('csv', csv, { columns });
    await s2.end();
    expect(csv.text()).toBe('eventId,user,note\n');
  });

  it('escapes pipes and line breaks in markdown', () => {
    const { text } = renderRows('markdown', ['a'], [{ a: 'x|y\nz' }]);
    expect(text).toContain('x\\|y<br>z');
    expect(text.split('\n')[1]).toMatch(/^\| -+ \|$/);
  });

  it('maps file extensions to formats', () => {
    expect(formatFromPath('out.CSV')).toBe('csv');
    expect(formatFromPath('a/b.jsonl')).toBe('ndjson');
    expect(formatFromPath('x.md')).toBe('markdown');
    expect(formatFromPath('x.exe')).toBeUndefined();
    expect(isOutputFormat('vertical')).toBe(true);
    expect(isOutputFormat('xml')).toBe(false);
  });
});

describe('progress line', () => {
  it('says pages, records, requests and elapsed time', () => {
    const text = progressText({
      requestsDone: 1,
      requestsTotal: 3,
      pages: 2,
      records: 2000,
      retries: 0,
      elapsedMs: 1500,
    });
    expect(text).toContain('2 pages');
    expect(text).toContain('2,000 records');
    expect(text).toContain('requests 1/3');
    expect(text).toContain('1.5s');
  });

  it('draws only on a TTY and erases itself when done', () => {
    const written: string[] = [];
    const silent = createProgressLine({ write: (s) => written.push(s), isTTY: false });
    silent.update({
      requestsDone: 0,
      requestsTotal: 1,
      pages: 1,
      records: 1,
      retries: 0,
      elapsedMs: 1,
    });
    expect(written).toEqual([]);
    const live = createProgressLine({ write: (s) => written.push(s), isTTY: true, columns: 80 });
    live.update({
      requestsDone: 0,
      requestsTotal: 1,
      pages: 1,
      records: 1,
      retries: 0,
      elapsedMs: 1,
    });
    live.done();
    expect(written[0]).toContain('1 page ');
    expect(written.at(-1)).toBe('\r\x1b[2K');
  });
});

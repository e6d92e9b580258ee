import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSink, renderRows } from '../src/output/sink.js';
import { renderTable } from '../src/output/table.js';
import { streamWriter, stringWriter } from '../src/output/writer.js';
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

describe('stream writer', () => {
  /** A Writable that keeps what it gets, and says it is full every `fullEvery` writes. */
  const sink = (fullEvery = Infinity) => {
    const chunks: Buffer[] = [];
    const stream = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(Buffer.from(chunk));
        setImmediate(callback);
      },
    });
    let writes = 0;
    const write = stream.write.bind(stream);
    stream.write = ((chunk: Buffer | string) => {
      write(chunk);
      writes += 1;
      return writes % fullEvery !== 0;
    }) as typeof stream.write;
    return { stream, chunks, text: () => Buffer.concat(chunks).toString('utf8') };
  };

  it('writes exactly what it was given, in chunks of at least chunkSize characters (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constant('é😀…')), {
          maxLength: 60,
        }),
        fc.integer({ min: 1, max: 64 }),
        async (texts, chunkSize) => {
          const out = sink(3);
          const writer = streamWriter(out.stream, chunkSize);
          for (const text of texts) {
            const pending = writer.write(text);
            if (pending) await pending;
          }
          await writer.flush();
          await new Promise<void>((resolve) => out.stream.end(resolve));
          expect(out.text()).toBe(Buffer.from(texts.join(''), 'utf8').toString('utf8'));
          // Every chunk but the last is flushed because it reached chunkSize.
          const sizes = out.chunks.map((c) => c.toString('utf8').length);
          for (const n of sizes.slice(0, -1)) expect(n).toBeGreaterThanOrEqual(chunkSize);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('batches small writes and waits for drain when the stream is full', async () => {
    const out = sink(1);
    const writer = streamWriter(out.stream, 1024);
    let waited = 0;
    for (let i = 0; i < 500; i += 1) {
      const pending = writer.write(`{"row":${i}}\n`);
      if (pending) {
        waited += 1;
        await pending;
      }
    }
    await writer.flush();
    await new Promise<void>((resolve) => out.stream.end(resolve));
    expect(out.text().split('\n').filter(Boolean)).toHaveLength(500);
    expect(out.chunks.length).toBeLessThan(20);
    expect(waited).toBe(out.chunks.length - 1);
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

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeNewestFirst } from '../src/merge.js';
import { canonicalizeRecord, defaultCatalog } from '@baql/query';
import { compareRows, createCanonicalizer, type Row } from '../src/records.js';
import { splitWindow } from '../src/scan.js';
import { Limiter } from '../src/limiter.js';

const row = (ms: number, guid: string): Row => ({
  record: { guid, timeStamp: new Date(ms).toISOString() },
  ms,
  guid,
});

async function* chunks(rows: Row[], size: number): AsyncGenerator<readonly Row[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

describe('k-way merge', () => {
  it('equals the sorted, deduplicated union of its sources (property)', async () => {
    const universe = fc.uniqueArray(
      fc.record({
        ms: fc.integer({ min: 0, max: 50 }),
        guid: fc.string({
          unit: fc.constantFrom('a', 'b', 'c', '1', '2'),
          minLength: 1,
          maxLength: 3,
        }),
      }),
      {
        selector: (r) => r.guid,
      },
    );
    await fc.assert(
      fc.asyncProperty(
        universe,
        fc.array(fc.array(fc.nat()), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 4 }),
        async (all, picks, size) => {
          const sources = picks.map((p) => {
            const chosen =
              all.length === 0
                ? []
                : [...new Set(p.map((i) => i % all.length))].map(
                    (i) => all[i] as { ms: number; guid: string },
                  );
            return chosen.map((r) => row(r.ms, r.guid)).sort(compareRows);
          });
          const merged: Row[] = [];
          for await (const batch of mergeNewestFirst(sources.map((s) => chunks(s, size))))
            merged.push(...batch);
          const expected = [...new Map(sources.flat().map((r) => [r.guid, r])).values()].sort(
            compareRows,
          );
          expect(merged.map((r) => r.guid)).toEqual(expected.map((r) => r.guid));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('splitWindow', () => {
  it('covers the window exactly, newest first, without overlap (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e12 }),
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: 1, max: 300 }),
        (start, span, n) => {
          const end = start + span;
          const s = splitWindow(start, end, n);
          expect(s[0]?.[1]).toBe(end);
          expect(s[s.length - 1]?.[0]).toBe(start);
          for (let i = 0; i < s.length; i += 1) {
            const [lo, hi] = s[i] as [number, number];
            expect(lo).toBeLessThanOrEqual(hi);
            if (i > 0) expect(hi).toBe((s[i - 1] as [number, number])[0] - 1);
          }
          expect(s.length).toBe(Math.min(n, span + 1));
        },
      ),
    );
  });
});

describe('Limiter', () => {
  it('never runs more than its limit and halves on throttling', async () => {
    const l = new Limiter(4);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        l.run(async () => {
          active += 1;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 2));
          active -= 1;
        }),
      ),
    );
    expect(peak).toBe(4);
    l.throttled();
    expect(l.limit).toBe(2);
    for (let i = 0; i < 10; i += 1) l.succeeded();
    expect(l.limit).toBe(4);
  });
});

describe('createCanonicalizer', () => {
  it('agrees with canonicalizeRecord of @baql/query on any record (property)', () => {
    const canon = createCanonicalizer(defaultCatalog);
    const key = fc.constantFrom(
      'eventid',
      'eventId',
      'timestamp',
      'TIMESTAMP',
      'guid',
      'reqctx_loginid',
      'channel',
      'Channel',
      'x"y',
      'amount',
      '__proto__x',
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.string()), { maxLength: 8 }), (pairs) => {
        const record = Object.fromEntries(pairs);
        const a = canon(record);
        const b = canonicalizeRecord(record);
        return JSON.stringify(Object.entries(a)) === JSON.stringify(Object.entries(b));
      }),
      { numRuns: 500 },
    );
  });
});

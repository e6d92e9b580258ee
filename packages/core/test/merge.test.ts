import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeNewestFirst } from '../src/merge.js';
import { canonicalizeRecord, defaultCatalog } from '@baql/query';
import { compareRows, createCanonicalizer, type Row } from '../src/records.js';
import { sliceWidth } from '../src/scan.js';
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

describe('sliceWidth', () => {
  it('cuts a region into slices that cover it exactly, newest first, without overlap (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e12 }),
        fc.integer({ min: 0, max: 1e9 }),
        // The density estimate changes between cuts (every page refines it).
        fc.array(fc.oneof(fc.constant(0), fc.double({ min: 1e-9, max: 10, noNaN: true })), {
          minLength: 1,
          maxLength: 20,
        }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 300 }),
        (start, extent, densities, target, maxSlices) => {
          const end = start + extent;
          const minWidth = Math.ceil((extent + 1) / maxSlices);
          const slices: [number, number][] = [];
          let hi = end;
          while (hi >= start) {
            const d = densities[slices.length % densities.length] as number;
            const span = hi - start + 1;
            const w = sliceWidth(span, d, target, minWidth);
            expect(w).toBeGreaterThanOrEqual(1);
            expect(w).toBeLessThanOrEqual(span);
            // Not narrower than asked, unless the region is narrower.
            expect(w).toBeGreaterThanOrEqual(Math.min(span, minWidth));
            // What is left is never a sliver expected to hold under a quarter of a slice.
            if (w < span) expect((span - w) * d).toBeGreaterThanOrEqual(target / 4);
            slices.push([hi - w + 1, hi]);
            hi -= w;
          }
          expect(slices[0]?.[1]).toBe(end);
          expect(slices[slices.length - 1]?.[0]).toBe(start);
          for (let i = 1; i < slices.length; i += 1)
            expect((slices[i] as [number, number])[1]).toBe(
              (slices[i - 1] as [number, number])[0] - 1,
            );
          expect(slices.length).toBeLessThanOrEqual(maxSlices);
        },
      ),
    );
  });

  it('sizes a slice to the target at the density, and takes a tiny rest along', () => {
    // 40 records at 1 record per 1000 ms: 40 000 ms, when the rest is large.
    expect(sliceWidth(1_000_000, 0.001, 40)).toBe(40_000);
    // A rest expected to hold under 10 records (a quarter of 40) joins the slice.
    expect(sliceWidth(45_000, 0.001, 40)).toBe(45_000);
    expect(sliceWidth(51_000, 0.001, 40)).toBe(40_000);
    // No density yet: the whole region.
    expect(sliceWidth(5_000, 0, 40)).toBe(5_000);
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

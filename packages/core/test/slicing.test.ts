/**
 * Adaptive window slicing: exactness (the rows of the unsliced request, in order, whatever the
 * data and page size), efficiency (few requests, every slot busy), bounded prefetch, and the
 * limiter's backoff. Real HTTP against the sandbox; one property over an in-memory page source
 * (the {@link PageFetcher} seam, no HTTP) explores data shapes the sandbox does not generate.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import nodeFetch from 'node-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importNdjson, startSandbox } from '@baql/sandbox';
import type { BankingActivity, SearchCriteria } from '@baql/query';
import { canonical, lastDays, sandbox, wire, type Sandbox } from './helpers.js';
import { execute, type ProgressEvent } from '../src/executor.js';
import { mergeNewestFirst } from '../src/merge.js';
import { createPageFetcher, type PageFetcher } from '../src/pager.js';
import { compareRows, type Row } from '../src/records.js';
import { ScanScheduler, scanRequest } from '../src/scan.js';
import type { FetchLike } from '../src/transport.js';

const guids = (rs: readonly BankingActivity[]) => rs.map((r) => r['guid']);

/** Counts search requests in flight (a fetch wrapper), time-weighted. */
function probe() {
  let active = 0;
  let peak = 0;
  let searches = 0;
  let area = 0;
  let start = performance.now();
  let since = start;
  const tick = () => {
    const now = performance.now();
    area += active * (now - since);
    since = now;
  };
  const fetch: FetchLike = async (url, init) => {
    if (!url.includes('/v1/banking-activities'))
      return (nodeFetch as unknown as FetchLike)(url, init);
    tick();
    active += 1;
    searches += 1;
    peak = Math.max(peak, active);
    try {
      return await (nodeFetch as unknown as FetchLike)(url, init);
    } finally {
      tick();
      active -= 1;
    }
  };
  return {
    fetch,
    get peak() {
      return peak;
    },
    get searches() {
      return searches;
    },
    /** Time-weighted requests in flight since `reset`. */
    average: () => {
      tick();
      return area / Math.max(1, performance.now() - start);
    },
    reset: () => {
      tick();
      area = 0;
      peak = 0;
      searches = 0;
      start = performance.now();
    },
  };
}

async function run(
  w: ReturnType<typeof wire>,
  requests: readonly SearchCriteria[],
  options: { pageSize: number; concurrency: number; slicing: boolean },
) {
  const events: ProgressEvent[] = [];
  const ex = execute({ ...w, canonicalize: canonical }, requests, {
    ...options,
    onProgress: (e) => events.push(e),
  });
  const records: BankingActivity[] = [];
  for await (const batch of ex.batches) records.push(...batch);
  return { records, pages: ex.counters.pages, last: events[events.length - 1] };
}

describe('slicing on the sandbox', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await sandbox({ events: 5_000, faults: { latencyMs: 40 } });
  });
  afterAll(async () => {
    await sb.close();
  });

  it('a 90-day scan: the unsliced rows exactly, few extra requests, every slot busy', async () => {
    const p = probe();
    const w = wire(sb, { fetch: p.fetch });
    const window = lastDays(sb, 89);
    // Two sources, as `kind:*` plans: user events (dense, with a planted burst) and system ones.
    const requests = [window, { ...window, eventType: 'system' as const }];
    const plain = await run(w, requests, { pageSize: 50, concurrency: 8, slicing: false });
    p.reset();
    const sliced = await run(w, requests, { pageSize: 50, concurrency: 8, slicing: true });
    const average = p.average();
    expect(plain.records.length).toBeGreaterThan(3_000);
    expect(guids(sliced.records)).toEqual(guids(plain.records));
    // Slices sized from every page seen take few more requests than the unsliced paging (the
    // one-page estimate of old took ~1.9× on this data); whole-window first pages included.
    expect(sliced.pages).toBeLessThan(plain.pages * 1.45);
    expect(p.searches).toBe(sliced.pages);
    // The scheduler keeps the slots busy (once the first pages are back).
    expect(p.peak).toBe(8);
    expect(average).toBeGreaterThan(4.5);
    // Progress: every slice announced is done at the end.
    expect(sliced.last?.requestsDone).toBe(sliced.last?.requestsTotal);
    expect(sliced.last?.requestsTotal).toBeGreaterThan(2);
    w.transport.close();
  });

  it('holds at most 3 × concurrency prefetched pages while the consumer waits', async () => {
    const p = probe();
    const w = wire(sb, { fetch: p.fetch });
    const ex = execute({ ...w, canonicalize: canonical }, [lastDays(sb, 89)], {
      pageSize: 25,
      concurrency: 4,
      slicing: true,
    });
    const it = ex.batches[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.done).toBe(false);
    // Long enough for ~10 rounds of requests: without a bound the whole scan would be fetched.
    await new Promise((r) => setTimeout(r, 600));
    const held = ex.counters.pages;
    expect(held).toBeGreaterThan(4);
    // The consumed page, the budget (3 × 4), and the next head.
    expect(held).toBeLessThanOrEqual(1 + 12 + 1);
    let n = (first.value as readonly BankingActivity[]).length;
    for (let r = await it.next(); r.done !== true; r = await it.next()) n += r.value.length;
    expect(ex.counters.pages).toBeGreaterThan(held);
    expect(n).toBeGreaterThan(1_000);
    w.transport.close();
  });

  it('never starts more than the scheduler slots allow (the limiter limit)', async () => {
    const p = probe();
    const w = wire(sb, { fetch: p.fetch });
    const counters = { requests: 1, pages: 0, records: 0, retries: 0, bytes: 0 };
    const fetchPage = createPageFetcher({ ...w, canonicalize: canonical, counters });
    let slots = 2;
    const scheduler = new ScanScheduler(24, () => slots);
    const rows: Row[] = [];
    for await (const chunk of scanRequest(lastDays(sb, 40), {
      fetchPage,
      signal: new AbortController().signal,
      slicing: true,
      pageSize: 25,
      lookahead: 24,
      scheduler,
    })) {
      rows.push(...chunk);
      // A throttled limiter halves its limit: the scan follows.
      if (rows.length > 300) slots = 1;
    }
    expect(rows.length).toBeGreaterThan(1_000);
    // The head may run beside the prefetches: slots + 1 at most.
    expect(p.peak).toBeLessThanOrEqual(3);
    expect(scheduler.used).toBe(0);
    expect(scheduler.inFlight).toBe(0);
    w.transport.close();
  });

  it('throttle answers halve the limit and the scan still returns exactly the rows', async () => {
    const sbt = await sandbox({ events: 5_000 });
    try {
      const p = probe();
      const w = wire(sbt, { fetch: p.fetch, retry: { maxRetries: 10 } });
      const window = lastDays(sbt, 60);
      const plain = await run(w, [window], { pageSize: 50, concurrency: 8, slicing: false });
      let lowest = w.limiter.limit;
      const watch = setInterval(() => (lowest = Math.min(lowest, w.limiter.limit)), 1);
      // Quota and spike answers (500 CMN_90001/CMN_90002) are throttles; BAS_99999 is a plain retry.
      sbt.setFaults({ errorRate: 0.15 });
      try {
        const sliced = await run(w, [window], { pageSize: 50, concurrency: 8, slicing: true });
        expect(guids(sliced.records)).toEqual(guids(plain.records));
      } finally {
        clearInterval(watch);
        sbt.setFaults({});
      }
      expect(lowest).toBeLessThan(8);
      expect(p.peak).toBeLessThanOrEqual(8);
      w.transport.close();
    } finally {
      await sbt.close();
    }
  });
});

describe('slicing on awkward data (imported into the sandbox)', () => {
  let sb: Sandbox;
  let dir: string;
  const end = Date.now() - 60_000;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'baql-slicing-'));
    const lines: string[] = [];
    const add = (ms: number, i: number) =>
      lines.push(
        JSON.stringify({
          eventId: i % 3 === 0 ? 'login' : 'transfer',
          timeStamp: new Date(ms).toISOString(),
          guid: `00000000-0000-1000-8000-${String(i).padStart(12, '0')}`,
          reqCtx_loginId: `user${i % 7}`,
        }),
      );
    let i = 0;
    // Spread over 60 days.
    for (let k = 0; k < 900; k += 1) add(end - Math.floor((k * 60 * 86_400_000) / 900), i++);
    // 260 events in one millisecond (more than a page), 10 days back.
    const pile = end - 10 * 86_400_000 + 123;
    for (let k = 0; k < 260; k += 1) add(pile, i++);
    // A burst of 400 events in two minutes, 3 days back.
    const burst = end - 3 * 86_400_000;
    for (let k = 0; k < 400; k += 1) add(burst - k * 300, i++);
    // The newest millisecond also holds more than a page.
    for (let k = 0; k < 120; k += 1) add(end, i++);
    writeFileSync(join(dir, 'events.ndjson'), `${lines.join('\n')}\n`);
    const db = join(dir, 'events.db');
    const imported = await importNdjson(join(dir, 'events.ndjson'), { db });
    expect(imported.imported).toBe(lines.length);
    sb = await startSandbox({ port: 0, db });
  });
  afterAll(async () => {
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a millisecond holding more than a page, a burst: the unsliced rows exactly', async () => {
    const w = wire(sb);
    const window = {
      startTime: new Date(end - 61 * 86_400_000).toISOString(),
      endTime: new Date(end).toISOString(),
    };
    const plain = await run(w, [window], { pageSize: 1000, concurrency: 8, slicing: false });
    expect(plain.records.length).toBe(900 + 260 + 400 + 120);
    for (const pageSize of [7, 50, 100]) {
      const sliced = await run(w, [window], { pageSize, concurrency: 8, slicing: true });
      expect(guids(sliced.records), `pageSize ${pageSize}`).toEqual(guids(plain.records));
      expect(sliced.last?.requestsDone).toBe(sliced.last?.requestsTotal);
      // The scan itself, without the executor's dedupe: no row twice (slices never overlap).
      const counters = { requests: 1, pages: 0, records: 0, retries: 0, bytes: 0 };
      const fetchPage = createPageFetcher({ ...w, canonicalize: canonical, counters });
      const raw: string[] = [];
      for await (const chunk of scanRequest(window, {
        fetchPage,
        signal: new AbortController().signal,
        slicing: true,
        pageSize,
        lookahead: 24,
        scheduler: new ScanScheduler(24, () => 8),
      }))
        for (const r of chunk) raw.push(r.guid);
      expect(raw, `pageSize ${pageSize}`).toEqual(guids(plain.records));
    }
    w.transport.close();
  });
});

/** An in-memory page source honouring the window, the page size and the page token. */
function memorySource(rows: readonly Row[], delays: readonly number[]): PageFetcher {
  const sorted = [...rows].sort(compareRows);
  let calls = 0;
  return async (criteria) => {
    const lo = Date.parse(criteria.startTime);
    const hi = Date.parse(criteria.endTime);
    const inWindow = sorted.filter((r) => r.ms >= lo && r.ms <= hi);
    const from = criteria.nextPageToken === undefined ? 0 : Number(criteria.nextPageToken);
    const size = criteria.pageSize ?? 1000;
    const page = inWindow.slice(from, from + size);
    const delay = delays[calls++ % delays.length] ?? 0;
    await new Promise((r) => setTimeout(r, delay));
    return E.right(
      from + size < inWindow.length
        ? { rows: page, nextPageToken: String(from + size), bytes: 0 }
        : { rows: page, bytes: 0 },
    );
  };
}

describe('slicing (property)', () => {
  it('any data, page size, concurrency and timing: the unsliced rows, in order, once each', async () => {
    const row = (ms: number, guid: string): Row => ({ record: { guid }, ms, guid });
    await fc.assert(
      fc.asyncProperty(
        // Timestamps piled on a few milliseconds and spread over a short window (so that slice
        // bounds often fall on a row).
        fc.array(
          fc.tuple(
            fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2_000 })),
            fc.integer({ min: 0, max: 2 }),
          ),
          { maxLength: 400 },
        ),
        fc.integer({ min: 1, max: 25 }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 7 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 300 }),
        async (points, pageSize, slots, delays, sources, maxSlices) => {
          const window = {
            startTime: new Date(0).toISOString(),
            endTime: new Date(2_000).toISOString(),
          };
          // Each source holds a different subset (some rows shared: the merge drops duplicates).
          const data = Array.from({ length: sources }, (_, s) =>
            points
              .map(([ms, pick], k) => ({ ms, pick, k }))
              .filter(({ pick }) => s === 0 || pick === s)
              .map(({ ms, k }) => row(ms, `g${String(k).padStart(4, '0')}`)),
          );
          // Each source on its own (no dedupe to hide an overlap), then merged, as the executor does.
          // One scan per source, sharing a scheduler, as the executor starts them.
          const streamsOf = (slicing: boolean, scheduler: ScanScheduler) =>
            data.map((rows) =>
              scanRequest(window, {
                fetchPage: memorySource(rows, delays),
                signal: new AbortController().signal,
                slicing,
                pageSize,
                lookahead: 3 * slots,
                scheduler,
                maxSlices,
              }),
            );
          const scan = async (slicing: boolean) => {
            const scheduler = new ScanScheduler(3 * slots, () => slots);
            const streams = streamsOf(slicing, scheduler);
            const each = await Promise.all(
              streams.map(async (stream) => {
                const out: string[] = [];
                for await (const chunk of stream) for (const r of chunk) out.push(r.guid);
                return out;
              }),
            );
            expect(scheduler.used).toBe(0);
            expect(scheduler.inFlight).toBe(0);
            return each;
          };
          const merged = async (slicing: boolean) => {
            const out: string[] = [];
            const streams = streamsOf(slicing, new ScanScheduler(3 * slots, () => slots));
            for await (const chunk of mergeNewestFirst(streams))
              for (const r of chunk) out.push(r.guid);
            return out;
          };
          const plain = await scan(false);
          const sliced = await scan(true);
          expect(sliced).toEqual(plain);
          for (const [k, rows] of data.entries())
            expect(sliced[k]).toEqual([...rows].sort(compareRows).map((r) => r.guid));
          const all = await merged(true);
          expect(all).toEqual(await merged(false));
          expect(new Set(all).size).toBe(all.length);
        },
      ),
      { numRuns: 150 },
    );
  });
});

/**
 * Cancellation against the real sandbox: a caller's `AbortSignal` (aborted mid-query or before
 * the call) fails the query with `Aborted`, `stream.cancel()` stops it, and a long-lived caller
 * signal shared by many queries (sequential or concurrent) is left with no listener of theirs.
 */
import { getEventListeners } from 'node:events';
import nodeFetch from 'node-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type BaqlClient } from '../src/client.js';
import type { FetchLike } from '../src/transport.js';
import { clientOptions, sandbox, type Sandbox } from './helpers.js';

let sb: Sandbox;
let client: BaqlClient;
let now: Date;
/** The sandbox's request log (one line per request). */
const served: string[] = [];
const searches = () => served.filter((l) => l.includes(' /v1/banking-activities ')).length;
const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;
const aborted = { reason: { _tag: 'Aborted' } };

beforeAll(async () => {
  sb = await sandbox({ events: 3000, log: (line) => served.push(line) });
  now = new Date(Date.parse(sb.dataRange.end) + 1000);
  client = createClient({ ...clientOptions(sb), pageSize: 100 });
  // A first query takes the token, so the counts below are of searches only.
  await client.query('type:login since 1h', { now });
});
afterAll(async () => {
  await client.close();
  await sb.close();
});

/** Runs `body` with every search answered `ms` later. */
async function withLatency<A>(ms: number, body: () => Promise<A>): Promise<A> {
  sb.setFaults({ latencyMs: ms });
  try {
    return await body();
  } finally {
    sb.setFaults({});
  }
}

describe('a caller AbortSignal', () => {
  it('aborting it mid-query fails the query with Aborted, promptly, and leaves no listener', async () => {
    const caller = new AbortController();
    await withLatency(400, async () => {
      setTimeout(() => caller.abort(), 100);
      const t0 = performance.now();
      await expect(
        client.query('kind:* since 30d', { now, signal: caller.signal }),
      ).rejects.toMatchObject(aborted);
      expect(performance.now() - t0).toBeLessThan(350);
    });
    expect(listeners(caller.signal)).toBe(0);
  });

  it('aborts with Aborted whatever reason the caller gives', async () => {
    const caller = new AbortController();
    await withLatency(400, async () => {
      setTimeout(() => caller.abort(new Error('the user pressed stop')), 100);
      await expect(
        client.query('kind:* since 30d', { now, signal: caller.signal }),
      ).rejects.toMatchObject(aborted);
    });
  });

  it('already aborted before the call: the query fails with Aborted and sends nothing', async () => {
    const before = searches();
    await expect(
      client.query('type:login since 7d', { now, signal: AbortSignal.abort() }),
    ).rejects.toMatchObject(aborted);
    const s = client.stream('type:login since 7d', { now, signal: AbortSignal.abort('gone') });
    await expect(s.batches().next()).rejects.toMatchObject(aborted);
    await expect(s.summary).rejects.toMatchObject(aborted);
    expect(searches()).toBe(before);
  });

  it('a long-lived signal keeps none of the listeners of 200 completed queries', async () => {
    const session = new AbortController();
    const own = () => undefined;
    session.signal.addEventListener('abort', own);
    const before = searches();
    for (let i = 0; i < 200; i += 1) {
      const r = await client.query('type:login since 7d | limit 20', {
        now,
        signal: session.signal,
      });
      expect(r.rows).toHaveLength(20);
    }
    expect(searches() - before).toBe(200);
    // Only the caller's own listener is left.
    expect(getEventListeners(session.signal, 'abort')).toEqual([own]);
    session.signal.removeEventListener('abort', own);
    expect(listeners(session.signal)).toBe(0);
    expect(session.signal.aborted).toBe(false);
  });

  it('is released by a stream stopped early and by a stream that fails', async () => {
    const session = new AbortController();
    const s = client.stream('kind:* since 30d', { now, signal: session.signal });
    for await (const batch of s.batches()) {
      expect(batch.length).toBeGreaterThan(0);
      break;
    }
    await s.summary;
    expect(listeners(session.signal)).toBe(0);
    await withLatency(400, async () => {
      await expect(
        client.query('kind:* since 30d', { now, signal: session.signal, timeoutMs: 100 }),
      ).rejects.toMatchObject({ reason: { _tag: 'Timeout', scope: 'query' } });
    });
    expect(listeners(session.signal)).toBe(0);
    expect(session.signal.aborted).toBe(false);
  });

  it('shared by many concurrent queries: one listener while they run, none after, no warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const session = new AbortController();
      const running = Array.from({ length: 24 }, () =>
        client.query('type:login since 7d | limit 20', { now, signal: session.signal }),
      );
      // Let every query start iterating.
      await new Promise((r) => setTimeout(r, 0));
      expect(listeners(session.signal)).toBeLessThanOrEqual(1);
      const results = await Promise.all(running);
      expect(results.every((r) => r.rows.length === 20)).toBe(true);
      expect(listeners(session.signal)).toBe(0);
      await new Promise((r) => setTimeout(r, 10));
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('aborting one signal shared by concurrent queries aborts all of them', async () => {
    const session = new AbortController();
    await withLatency(400, async () => {
      const running = Array.from({ length: 3 }, () =>
        client.query('kind:* since 30d', { now, signal: session.signal }),
      );
      setTimeout(() => session.abort(), 100);
      for (const r of await Promise.allSettled(running)) {
        expect(r.status).toBe('rejected');
        expect(r.status === 'rejected' ? r.reason : undefined).toMatchObject(aborted);
      }
    });
    // The next query on that (now aborted) signal fails at once.
    await expect(
      client.query('type:login since 7d', { now, signal: session.signal }),
    ).rejects.toMatchObject(aborted);
  });
});

describe('stream.cancel()', () => {
  it('stops the query (Aborted), without aborting or keeping a listener on the caller signal', async () => {
    const session = new AbortController();
    await withLatency(400, async () => {
      const s = client.stream('kind:* since 30d', { now, signal: session.signal });
      const it = s[Symbol.asyncIterator]();
      const pending = it.next();
      pending.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
      const t0 = performance.now();
      s.cancel();
      await expect(pending).rejects.toMatchObject(aborted);
      await expect(s.summary).rejects.toMatchObject(aborted);
      expect(performance.now() - t0).toBeLessThan(250);
    });
    expect(session.signal.aborted).toBe(false);
    expect(listeners(session.signal)).toBe(0);
  });

  it('stops a query that has no caller signal', async () => {
    await withLatency(400, async () => {
      const s = client.stream('kind:* since 30d', { now });
      const first = s.batches().next();
      first.catch(() => undefined);
      setTimeout(() => s.cancel(), 100);
      await expect(first).rejects.toMatchObject(aborted);
      await expect(s.summary).rejects.toMatchObject(aborted);
    });
  });
});

describe('the end of a query', () => {
  it('cancels the requests still in flight without surfacing an error', async () => {
    // Real HTTP; the fetch only records the signal of every request it is given.
    const seen: AbortSignal[] = [];
    const recording: FetchLike = (url, init) => {
      if (init.signal !== undefined && url.includes('/v1/banking-activities'))
        seen.push(init.signal);
      return (nodeFetch as unknown as FetchLike)(url, init);
    };
    const c = createClient({ ...clientOptions(sb), pageSize: 50, fetch: recording });
    try {
      // Two requests (user and system) paging ahead of a consumer that stops at the first batch.
      const s = c.stream('kind:* since 30d', { now, signal: new AbortController().signal });
      let rows = 0;
      for await (const batch of s.batches()) {
        rows += batch.length;
        break;
      }
      const summary = await s.summary;
      expect(summary.rows).toBe(rows);
      expect(rows).toBeGreaterThan(0);
      expect(seen.length).toBeGreaterThan(1);
      // Every request is over: answered, or cancelled by the end of the query.
      expect(seen.every((signal) => signal.aborted || listeners(signal) === 0)).toBe(true);
      // The client goes on working after those cancellations.
      const next = await c.query('type:login since 7d | limit 5', { now });
      expect(next.rows).toHaveLength(5);
    } finally {
      await c.close();
    }
  });
});

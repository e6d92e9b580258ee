/**
 * The shared (single-flight) token request belongs to no one query: concurrent queries wait on
 * one token request, and a query that goes away while it is in flight (its caller aborts, it is
 * cancelled, it times out) stops waiting at once without failing the others. Real HTTP to the
 * sandbox; the token endpoint is made slow by holding its answer (the request itself reaches
 * the sandbox at once), and token requests are counted in the sandbox's own request log.
 */
import { getEventListeners } from 'node:events';
import * as E from 'fp-ts/lib/Either.js';
import nodeFetch from 'node-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type BaqlClient, type ClientOptions } from '../src/client.js';
import type { FetchLike } from '../src/transport.js';
import { clientOptions, sandbox, type Sandbox, wire } from './helpers.js';

let sb: Sandbox;
let now: Date;
/** The sandbox's request log (one line per request). */
const served: string[] = [];
const tokenRequests = () => served.filter((l) => l.includes(' /oauth2/v1/token ')).length;
const aborted = { reason: { _tag: 'Aborted' } };
/** The rows every test's query should give (from a plain client). */
let expected: readonly unknown[];
const QUERY = 'type:login since 7d';

beforeAll(async () => {
  sb = await sandbox({ events: 3000, log: (line) => served.push(line) });
  now = new Date(Date.parse(sb.dataRange.end) + 1000);
  const plain = createClient({ ...clientOptions(sb), pageSize: 100 });
  try {
    expected = (await plain.query(QUERY, { now })).rows;
  } finally {
    await plain.close();
  }
  expect(expected.length).toBeGreaterThan(0);
});
afterAll(async () => {
  await sb.close();
});

/**
 * A real fetch whose token answers are held back until `release()`: the token request reaches
 * the sandbox at once, and its answer is handed over only when released (or the request's signal
 * aborts, which rejects as a fetch does).
 */
function slowTokenEndpoint(): {
  fetch: FetchLike;
  /** Resolves when a token request has been sent (and is being held). */
  inFlight: () => Promise<void>;
  release: () => void;
  /** The signals the token requests were sent with. */
  signals: AbortSignal[];
} {
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  let arrived!: () => void;
  const sent = new Promise<void>((r) => {
    arrived = r;
  });
  const signals: AbortSignal[] = [];
  const fetch: FetchLike = async (url, init) => {
    const res = await (nodeFetch as unknown as FetchLike)(url, init);
    if (!url.endsWith('/oauth2/v1/token')) return res;
    if (init.signal !== undefined) signals.push(init.signal);
    arrived();
    await new Promise<void>((resolve, reject) => {
      const signal = init.signal;
      if (signal?.aborted === true) return reject(signal.reason);
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      void gate.then(resolve);
    });
    return res;
  };
  return { fetch, inFlight: () => sent, release, signals };
}

async function withClient<A>(
  fetch: FetchLike,
  body: (client: BaqlClient) => Promise<A>,
  extra: Partial<ClientOptions> = {},
): Promise<A> {
  const client = createClient({ ...clientOptions(sb), pageSize: 100, fetch, ...extra });
  try {
    return await body(client);
  } finally {
    await client.close();
  }
}

/** Waits `ms`. */
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the shared token request', () => {
  const ways: {
    name: string;
    start: (client: BaqlClient) => { done: Promise<unknown>; stop: () => void };
    failsWith: object;
  }[] = [
    {
      name: "the caller's signal aborts",
      start: (client) => {
        const caller = new AbortController();
        return {
          done: client.query(QUERY, { now, signal: caller.signal }),
          stop: () => caller.abort(),
        };
      },
      failsWith: aborted,
    },
    {
      name: 'it is cancelled',
      start: (client) => {
        const s = client.stream(QUERY, { now });
        const done = (async () => {
          for await (const batch of s.batches()) void batch;
          return s.summary;
        })();
        return { done, stop: () => s.cancel() };
      },
      failsWith: aborted,
    },
    {
      name: 'it times out',
      // The query's own timeout (80 ms) strikes while the token answer is held.
      start: (client) => ({ done: client.query(QUERY, { now, timeoutMs: 80 }), stop: () => {} }),
      failsWith: { reason: { _tag: 'Timeout', scope: 'query' } },
    },
  ];

  for (const way of ways) {
    it(`survives the query that started it going away (${way.name}): the other gets its rows`, async () => {
      const slow = slowTokenEndpoint();
      const before = tokenRequests();
      await withClient(slow.fetch, async (client) => {
        // A starts the token request; B joins it.
        const a = way.start(client);
        a.done.catch(() => undefined);
        await slow.inFlight();
        const b = client.query(QUERY, { now });
        b.catch(() => undefined);
        await pause(20);
        const t0 = performance.now();
        a.stop();
        // A gives up at once, while the token answer is still held.
        await expect(a.done).rejects.toMatchObject(way.failsWith);
        expect(performance.now() - t0).toBeLessThan(250);
        slow.release();
        const result = await b;
        expect(result.rows).toEqual(expected);
        expect(client.authStats.tokenRequests).toBe(1);
      });
      expect(tokenRequests() - before).toBe(1);
    });
  }

  it('a query that joined and is aborted leaves promptly; the one that started it goes on', async () => {
    const slow = slowTokenEndpoint();
    await withClient(slow.fetch, async (client) => {
      const a = client.query(QUERY, { now });
      a.catch(() => undefined);
      await slow.inFlight();
      const caller = new AbortController();
      const b = client.query(QUERY, { now, signal: caller.signal });
      b.catch(() => undefined);
      await pause(20);
      caller.abort();
      await expect(b).rejects.toMatchObject(aborted);
      slow.release();
      expect((await a).rows).toEqual(expected);
    });
  });

  it('20 concurrent queries, half of them aborted mid-flight (the first included), make one token request', async () => {
    const slow = slowTokenEndpoint();
    const before = tokenRequests();
    await withClient(slow.fetch, async (client) => {
      const callers = Array.from({ length: 20 }, () => new AbortController());
      const results = callers.map((c) => client.query(QUERY, { now, signal: c.signal }));
      for (const r of results) r.catch(() => undefined);
      await slow.inFlight();
      await pause(20);
      callers.forEach((c, i) => {
        if (i % 2 === 0) c.abort();
      });
      for (let i = 0; i < 20; i += 2) await expect(results[i]).rejects.toMatchObject(aborted);
      slow.release();
      for (let i = 1; i < 20; i += 2) expect((await results[i])?.rows).toEqual(expected);
      expect(client.authStats.tokenRequests).toBe(1);
    });
    expect(tokenRequests() - before).toBe(1);
  });

  it('when every waiting query has gone, the token request is dropped and a later query still works', async () => {
    const slow = slowTokenEndpoint();
    const before = tokenRequests();
    await withClient(slow.fetch, async (client) => {
      const callers = Array.from({ length: 3 }, () => new AbortController());
      const results = callers.map((c) => client.query(QUERY, { now, signal: c.signal }));
      for (const r of results) r.catch(() => undefined);
      await slow.inFlight();
      await pause(20);
      for (const c of callers) c.abort();
      for (const r of results) await expect(r).rejects.toMatchObject(aborted);
      // Nobody waits for it any more: the shared request is cancelled (not left running).
      expect(slow.signals).toHaveLength(1);
      expect(slow.signals[0]?.aborted).toBe(true);
      slow.release();
      const later = await client.query(QUERY, { now });
      expect(later.rows).toEqual(expected);
      expect(client.authStats.tokenRequests).toBe(1);
    });
    // The dropped request (it reached the sandbox) and the later query's own.
    expect(tokenRequests() - before).toBe(2);
  });

  it('a long-lived caller signal keeps no listener once the shared request is over', async () => {
    const slow = slowTokenEndpoint();
    const w = wire(sb, { fetch: slow.fetch });
    try {
      const session = new AbortController();
      const waits = Array.from({ length: 5 }, () => w.auth.token(session.signal)());
      await slow.inFlight();
      expect(getEventListeners(session.signal, 'abort')).toHaveLength(5);
      slow.release();
      const tokens = await Promise.all(waits);
      expect(tokens.every(E.isRight)).toBe(true);
      expect(new Set(tokens.map((t) => (E.isRight(t) ? t.right : ''))).size).toBe(1);
      expect(getEventListeners(session.signal, 'abort')).toHaveLength(0);
      expect(w.auth.stats.tokenRequests).toBe(1);
    } finally {
      w.transport.close();
    }
  });

  it('is bounded by the request timeout of the client, not by a caller', async () => {
    const slow = slowTokenEndpoint();
    await withClient(
      slow.fetch,
      async (client) => {
        const t0 = performance.now();
        await expect(client.query(QUERY, { now })).rejects.toMatchObject({
          reason: { _tag: 'Timeout', scope: 'request' },
        });
        expect(performance.now() - t0).toBeLessThan(2000);
        slow.release();
      },
      { timeouts: { requestMs: 150 }, retry: { maxRetries: 0 } },
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, post, problemOf, startStack, type Stack } from './harness.js';

const NDJSON = { accept: 'application/x-ndjson' };
const LARGE = 'since 30d';

const searches = (s: Stack) => s.sandboxLog.filter((l) => l.includes('/banking-activities')).length;

async function settle(count: () => number, quietMs = 600, maxMs = 5000): Promise<number> {
  const until = Date.now() + maxMs;
  let last = count();
  let lastChange = Date.now();
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    const now = count();
    if (now !== last) {
      last = now;
      lastChange = Date.now();
    } else if (Date.now() - lastChange >= quietMs) break;
  }
  return last;
}

function lines(text: string): { type: string; [k: string]: unknown }[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { type: string });
}

describe('NDJSON streaming, upstream failures and timeouts', () => {
  let s: Stack;
  beforeAll(async () => {
    // Small pages so a large result takes many upstream requests.
    s = await startStack({
      client: {
        pageSize: 50,
        concurrency: 2,
        retry: { maxRetries: 1, baseMs: 10, capMs: 50, budgetMs: 500 },
      },
      limits: { maxRows: 100_000 },
    });
  }, 60_000);
  afterAll(async () => s?.close());

  it('streams rows page by page between a meta line and a summary line', async () => {
    const res = await post(
      s.base,
      '/v1/query',
      { query: LARGE, limit: 100_000 },
      KEYS.admin,
      NDJSON,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const out = lines(await res.text());
    expect(out[0]).toMatchObject({ type: 'meta' });
    const last = out.at(-1) as { type: string; summary: { rows: number; pages: number } };
    expect(last.type).toBe('summary');
    const rows = out.filter((l) => l.type === 'row');
    expect(rows.length).toBeGreaterThan(1000);
    expect(last.summary.rows).toBe(rows.length);
    expect(last.summary.pages).toBeGreaterThan(20);
    // Newest first, as the architecture says.
    const times = rows
      .slice(0, 200)
      .map((r) => Date.parse((r['row'] as { timeStamp: string }).timeStamp));
    for (let i = 1; i < times.length; i += 1)
      expect(times[i]).toBeLessThanOrEqual(times[i - 1] as number);
  });

  it('stops the upstream paging when the client disconnects halfway', async () => {
    await settle(() => searches(s));
    const fullStart = searches(s);
    const full = await post(
      s.base,
      '/v1/query',
      { query: LARGE, limit: 100_000 },
      KEYS.admin,
      NDJSON,
    );
    const fullRows = lines(await full.text()).filter((l) => l.type === 'row').length;
    const fullSearches = (await settle(() => searches(s))) - fullStart;
    expect(fullSearches).toBeGreaterThan(20);

    const before = searches(s);
    const controller = new AbortController();
    const res = await post(s.base, '/v1/query', { query: LARGE, limit: 100_000 }, KEYS.admin, {
      ...NDJSON,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    while ((text.match(/"type":"row"/g)?.length ?? 0) < fullRows / 4) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    await reader.cancel();
    controller.abort();
    const after = (await settle(() => searches(s))) - before;
    expect(after).toBeGreaterThan(0);
    expect(after).toBeLessThan(fullSearches * 0.75);
    // The server forgot the query: nothing in flight.
    const metrics = await (await fetch(`${s.base}/metrics`)).text();
    expect(metrics).toMatch(/baql_queries_in_flight\{mode="ndjson"\} 0/);
  });

  it('maps an upstream 429 spike arrest to 503 with Retry-After and the upstream code', async () => {
    s.session.sandbox?.setFaults({ rateLimitRate: 1 });
    try {
      const res = await post(s.base, '/v1/query', { query: 'type:login since 1d', limit: 5 });
      // The sandbox answers 429 "Spike limit violation" (CMN_90002): a spike arrest, so 503.
      expect(res.status).toBe(503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      const p = await problemOf(res);
      expect(p).toMatchObject({
        code: 'upstream-spike',
        upstreamStatus: 429,
        upstreamCode: 'CMN_90002',
      });
      expect(typeof p['transactionId']).toBe('string');
    } finally {
      s.session.sandbox?.setFaults({});
    }
  });

  it('never answers 500 for upstream 500s (quota, spike, internal), and names the code', async () => {
    s.session.sandbox?.setFaults({ errorRate: 1 });
    try {
      // Readiness needs the upstream: with every search failing, /readyz leaves the load balancer.
      const ready = await fetch(`${s.base}/readyz`);
      expect(ready.status).toBe(503);
      expect(await problemOf(ready)).toMatchObject({ code: 'unavailable' });
      const seen = new Set<number>();
      for (let i = 0; i < 6; i += 1) {
        const res = await post(s.base, '/v1/query', { query: 'type:login since 1d', limit: 5 });
        seen.add(res.status);
        const p = await problemOf(res);
        expect([429, 502, 503]).toContain(res.status);
        expect(String(p['upstreamCode'])).toMatch(/^(BAS|CMN)_\d{5}$/);
        if (res.status !== 502) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(JSON.stringify(p)).not.toMatch(/secret|Bearer|at .*\.ts/i);
      }
      expect(seen.size).toBeGreaterThan(0);
    } finally {
      s.session.sandbox?.setFaults({});
    }
    const metrics = await (await fetch(`${s.base}/metrics`)).text();
    expect(metrics).toMatch(/baql_upstream_errors_total\{code="(BAS|CMN)_\d{5}"\} \d+/);
  });

  it('ends a stream that fails midway with an error line', async () => {
    const res = await post(
      s.base,
      '/v1/query',
      { query: LARGE, limit: 100_000 },
      KEYS.admin,
      NDJSON,
    );
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const first = await reader.read();
    text += decoder.decode(first.value, { stream: true });
    s.session.sandbox?.setFaults({ errorRate: 1 });
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    } finally {
      s.session.sandbox?.setFaults({});
    }
    const out = lines(text);
    const last = out.at(-1) as { type: string; problem?: { code: string; status: number } };
    // Either the stream was already complete, or it ends with a problem.
    if (last.type === 'error') {
      expect(last.problem?.status).not.toBe(500);
      expect(['upstream-quota', 'upstream-spike', 'upstream-failed']).toContain(last.problem?.code);
    } else {
      expect(last.type).toBe('summary');
    }
  });
});

describe('time limit and graceful shutdown', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({
      client: { pageSize: 50, concurrency: 1 },
      limits: { timeoutMs: 400, shutdownMs: 300 },
    });
  }, 60_000);
  afterAll(async () => s?.close());

  it('answers 504 when a query runs past the time limit', async () => {
    s.session.sandbox?.setFaults({ latencyMs: 1500 });
    try {
      const started = Date.now();
      const res = await post(s.base, '/v1/query', { query: 'type:login since 1d', limit: 5 });
      expect(res.status).toBe(504);
      expect(await problemOf(res)).toMatchObject({ code: 'query-timeout', limit: 'timeoutMs' });
      expect(Date.now() - started).toBeLessThan(1400);
    } finally {
      s.session.sandbox?.setFaults({});
    }
  });
});

describe('graceful shutdown', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({
      client: { pageSize: 50, concurrency: 1 },
      limits: { shutdownMs: 300, maxInFlight: 1 },
    });
  }, 60_000);
  afterAll(async () => s?.close());

  it('refuses queries above the in-flight limit with 503 and Retry-After', async () => {
    s.session.sandbox?.setFaults({ latencyMs: 600 });
    try {
      const [a, b] = await Promise.all([
        post(s.base, '/v1/query', { query: 'type:login since 1h', limit: 1 }),
        new Promise((r) => setTimeout(r, 150)).then(() =>
          post(s.base, '/v1/query', { query: 'type:login since 1h', limit: 1 }),
        ),
      ]);
      expect(a.status).toBe(200);
      expect(b.status).toBe(503);
      expect(b.headers.get('retry-after')).toBe('1');
      expect(await problemOf(b)).toMatchObject({ code: 'unavailable' });
    } finally {
      s.session.sandbox?.setFaults({});
    }
  });

  it('drains in-flight streams within the deadline and refuses new work while closing', async () => {
    s.session.sandbox?.setFaults({ latencyMs: 100 });
    const res = await post(
      s.base,
      '/v1/query',
      { query: LARGE, limit: 100_000 },
      KEYS.admin,
      NDJSON,
    );
    expect(res.status).toBe(200);
    const body = res.text();
    const started = Date.now();
    const closing = s.app.closeGracefully(300);
    const ready = await fetch(`${s.base}/readyz`).catch(() => undefined);
    if (ready !== undefined) expect(ready.status).toBe(503);
    const out = lines(await body);
    await closing;
    expect(Date.now() - started).toBeLessThan(3000);
    const last = out.at(-1) as { type: string; problem?: { code: string } };
    expect(last).toMatchObject({ type: 'error', problem: { code: 'unavailable' } });
  });
});

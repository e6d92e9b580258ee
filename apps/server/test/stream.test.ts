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

  it('says when the row limit cut the result (summary.truncated), fetching one row more and no more pages', async () => {
    type Answer = {
      rows: unknown[];
      summary: { rows: number; pages: number; truncated?: boolean };
    };
    const run = async (body: Record<string, unknown>) => {
      const res = await post(s.base, '/v1/query', body);
      expect(res.status).toBe(200);
      return (await res.json()) as Answer;
    };
    const stream = async (body: Record<string, unknown>) => {
      const out = lines(await (await post(s.base, '/v1/query', body, KEYS.admin, NDJSON)).text());
      const last = out.at(-1) as { type: string; summary: Answer['summary'] };
      expect(last.type).toBe('summary');
      return { rows: out.filter((l) => l.type === 'row').length, summary: last.summary };
    };
    // The default limit (1000) cuts a `| limit 3000` of a larger result, and says so.
    const total = (await run({ query: `${LARGE} | count` })).rows[0] as { count: number };
    expect(total.count).toBeGreaterThan(3000);
    const cut = await run({ query: `${LARGE} | limit 3000` });
    expect(cut.rows.length).toBe(1000);
    expect(cut.summary).toMatchObject({ rows: 1000, truncated: true });
    const whole = await run({ query: `${LARGE} | limit 3000`, limit: 3000 });
    expect(whole.rows.length).toBe(3000);
    expect(whole.summary).toMatchObject({ rows: 3000, truncated: false });

    // Exactly at the limit is not cut; one row fewer is.
    const day = 'type:login since 7d';
    const logins = ((await run({ query: `${day} | count` })).rows[0] as { count: number }).count;
    expect(logins).toBeGreaterThan(120);
    expect((await run({ query: day, limit: logins })).summary).toMatchObject({
      rows: logins,
      truncated: false,
    });
    const under = await run({ query: day, limit: logins - 1 });
    expect(under.rows.length).toBe(logins - 1);
    expect(under.summary).toMatchObject({ rows: logins - 1, truncated: true });

    // Aggregates too: `count by type` has more groups than `limit`.
    const groups = await run({ query: `${LARGE} | count by type` });
    expect(groups.rows.length).toBeGreaterThan(3);
    expect(groups.summary.truncated).toBe(false);
    const three = await run({ query: `${LARGE} | count by type`, limit: 3 });
    expect(three.rows.length).toBe(3);
    expect(three.summary).toMatchObject({ rows: 3, truncated: true });

    // One row more than the limit: with pages of 50, 100 rows take 3 pages (101 rows), not more.
    const hundred = await run({ query: day, limit: 100 });
    expect(hundred.summary).toMatchObject({ rows: 100, truncated: true });
    expect(hundred.summary.pages).toBe(3);

    // The NDJSON summary line says the same, and the extra row is never sent.
    expect(await stream({ query: day, limit: logins - 1 })).toMatchObject({
      rows: logins - 1,
      summary: { rows: logins - 1, truncated: true },
    });
    expect(await stream({ query: day, limit: logins })).toMatchObject({
      rows: logins,
      summary: { rows: logins, truncated: false },
    });
    expect(await stream({ query: `${LARGE} | count by type`, limit: 3 })).toMatchObject({
      rows: 3,
      summary: { rows: 3, truncated: true },
    });
    const streamed = await stream({ query: day, limit: 100 });
    expect(streamed.summary).toMatchObject({ rows: 100, truncated: true });
    expect(streamed.summary.pages).toBe(3);
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
      'x-request-id': 'dropped-stream-1',
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
    // A dropped stream is a client disconnect (499), logged and counted as one, not a failure.
    const mine = s.logs.filter((l) => l['reqId'] === 'dropped-stream-1');
    expect(mine).toContainEqual(
      expect.objectContaining({ level: 30, msg: 'request completed', status: 499 }),
    );
    expect(mine).toContainEqual(
      expect.objectContaining({ level: 30, problem: 'client-closed', route: '/v1/query' }),
    );
    expect(mine.filter((l) => (l['level'] as number) >= 50 || l['err'] !== undefined)).toEqual([]);
    expect(metrics).toMatch(
      /baql_http_requests_total\{method="POST",route="\/v1\/query",status="499"\} [1-9]/,
    );
    expect(metrics).toMatch(/baql_query_errors_total\{kind="client-closed"\} [1-9]/);
    expect(metrics).not.toMatch(/baql_query_errors_total\{kind="internal"\}/);
  });

  it('logs a client that leaves a slow query as a disconnect, never as a server failure', async () => {
    s.session.sandbox?.setFaults({ latencyMs: 1500 });
    try {
      for (const [id, headers] of [
        ['left-json-1', {}],
        ['left-ndjson-1', NDJSON],
      ] as const) {
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 300);
        await expect(
          fetch(`${s.base}/v1/query`, {
            method: 'POST',
            signal: controller.signal,
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${KEYS.admin}`,
              'x-request-id': id,
              ...headers,
            },
            body: JSON.stringify({ query: 'type:login since 1d', limit: 5 }),
          }),
        ).rejects.toThrow();
      }
      // Wait until the slow upstream call ended and the server gave up on both queries.
      const until = Date.now() + 5000;
      const settled = () =>
        ['left-json-1', 'left-ndjson-1'].every((id) =>
          s.logs.some((l) => l['reqId'] === id && l['msg'] === 'request completed'),
        );
      while (!settled() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 1800));
    } finally {
      s.session.sandbox?.setFaults({});
    }
    for (const id of ['left-json-1', 'left-ndjson-1']) {
      const mine = s.logs.filter((l) => l['reqId'] === id);
      expect(mine, id).toContainEqual(
        expect.objectContaining({ msg: 'request completed', status: 499, route: '/v1/query' }),
      );
      expect(mine, id).toContainEqual(
        expect.objectContaining({ level: 30, problem: 'client-closed' }),
      );
      expect(
        mine.filter((l) => (l['level'] as number) >= 50 || l['err'] !== undefined),
        id,
      ).toEqual([]);
      expect(mine.filter((l) => l['msg'] === 'request completed').length, id).toBe(1);
    }
    const metrics = await (await fetch(`${s.base}/metrics`)).text();
    expect(metrics).not.toMatch(/baql_query_errors_total\{kind="(internal|unavailable)"\}/);
    expect(metrics).toMatch(/baql_query_errors_total\{kind="client-closed"\} [2-9]/);
    expect(metrics).toMatch(/baql_queries_in_flight\{mode="json"\} 0/);
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
      // An expected refusal: a warning without a stack, not an error.
      const refused = s.logs.filter(
        (l) => l['reqId'] === b.headers.get('x-request-id') && l['problem'] === 'unavailable',
      );
      expect(refused).toEqual([expect.objectContaining({ level: 40, msg: 'request refused' })]);
      expect(refused[0]?.['err']).toBeUndefined();
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

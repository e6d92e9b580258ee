/**
 * The facade end to end against the real sandbox: every pipeline stage, residuals, plan ≡ direct
 * evaluation, streaming with summary and progress, abort, timeouts, plan errors, macros.
 */
import { canonicalizeRecord, evaluate, resolve } from '@baql/query';
import type { BankingActivity } from '@baql/query';
import nodeFetch from 'node-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/client.js';
import { BaqlError } from '../src/errors.js';
import type { ProgressEvent } from '../src/executor.js';
import { clientOptions, collect, sandbox, type Sandbox, wire } from './helpers.js';
import type { BaqlClient } from '../src/client.js';
import type { FetchLike } from '../src/transport.js';

let sb: Sandbox;
let client: BaqlClient;
let now: Date;
/** The sandbox's request log (one line per request, with `records=n` for searches). */
let served: string[] = [];
beforeAll(async () => {
  sb = await sandbox({ log: (line) => served.push(line) });
  now = new Date(Date.parse(sb.dataRange.end) + 1000);
  client = createClient({
    ...clientOptions(sb),
    pageSize: 200,
  });
});
afterAll(async () => {
  await client.close();
  await sb.close();
});

/** Every record of the window, fetched with one plain request per kind. */
async function everything(start: string, end: string): Promise<BankingActivity[]> {
  const w = wire(sb);
  const user = await collect(w, [{ startTime: start, endTime: end, eventType: 'user' }], {
    pageSize: 1000,
  });
  const system = await collect(w, [{ startTime: start, endTime: end, eventType: 'system' }], {
    pageSize: 1000,
  });
  w.transport.close();
  return [...user.records, ...system.records].map((r) => canonicalizeRecord(r));
}

const guids = (rows: readonly Record<string, unknown>[]) => rows.map((r) => r['guid']);

describe('client.query on the sandbox', () => {
  const queries = [
    'type:login since 2d',
    'type:(login OR logout) channel:MOBILE since 2d',
    'type:login NOT channel:MOBILE since 1d',
    `user:${'$u'} since 30d`,
    'kind:system since 1d',
    'kind:* result:Failure since 3d',
    'type:transfer amount>100 since 5d',
  ];
  it('returns exactly what evaluating the query directly returns, newest first (plan ≡ evaluation)', async () => {
    const u = sb.users[0]?.loginId ?? '';
    const all = await everything(
      new Date(now.getTime() - 31 * 86_400_000).toISOString(),
      now.toISOString(),
    );
    for (const text of queries) {
      const params = { u };
      const result = await client.query(text, { now, params });
      const resolved = resolve(text, { now, params });
      if (resolved._tag === 'Left') throw new Error(`resolve failed: ${text}`);
      const expected = all.filter((r) => evaluate(resolved.right, r));
      if (text === 'type:login since 2d') expect(expected.length).toBeGreaterThan(20);
      const byTime = [...expected].sort(
        (a, b) =>
          Date.parse(b['timeStamp'] ?? '') - Date.parse(a['timeStamp'] ?? '') ||
          ((b['guid'] ?? '') < (a['guid'] ?? '') ? -1 : 1),
      );
      expect(new Set(guids(result.rows)), text).toEqual(new Set(guids(byTime)));
      expect(guids(result.rows), text).toEqual(guids(byTime));
      expect(result.kind).toBe('rows');
      expect(result.summary.rows).toBe(result.rows.length);
    }
  });

  it('runs every pipeline stage', async () => {
    const base = 'type:login since 3d';
    const rows = (await client.query(base, { now })).rows;
    expect(rows.length).toBeGreaterThan(50);

    const counted = await client.query(`${base} | count by channel`, { now });
    expect(counted.kind).toBe('aggregate');
    expect(counted.columns).toEqual(['channel', 'count']);
    const expected = new Map<string, number>();
    for (const r of rows)
      expected.set(String(r['channel']), (expected.get(String(r['channel'])) ?? 0) + 1);
    expect(new Map(counted.rows.map((r) => [String(r['channel']), r['count']]))).toEqual(expected);

    const total = await client.query(`${base} | count`, { now });
    expect(total.rows).toEqual([{ count: rows.length }]);

    const top = await client.query(`${base} | top 2 channel`, { now });
    expect(top.rows).toHaveLength(2);
    expect(top.rows[0]?.['count']).toBe(Math.max(...expected.values()));

    const fields = await client.query(`${base} | fields user, channel | limit 5`, { now });
    expect(fields.columns).toEqual(['user', 'channel']);
    expect(fields.rows).toEqual(
      rows.slice(0, 5).map((r) => ({ user: r['ReqCtx_loginId'], channel: r['channel'] })),
    );

    const sorted = await client.query(`${base} | sort user asc | limit 10`, { now });
    const users = rows.map((r) => String(r['ReqCtx_loginId'])).sort();
    expect(sorted.rows.map((r) => r['ReqCtx_loginId'])).toEqual(users.slice(0, 10));

    const dedup = await client.query(`${base} | dedup user`, { now });
    expect(dedup.rows.length).toBe(new Set(users).size);

    const chart = await client.query(`${base} | timechart 1d`, { now });
    expect(chart.columns[0]).toBe('time');
    expect(chart.rows.reduce((n, r) => n + Number(r['count']), 0)).toBe(rows.length);
  });

  it('a limit stops paging early', async () => {
    const full = await client.query('kind:* since 30d | limit 3', { now });
    expect(full.rows).toHaveLength(3);
    expect(full.summary.pages).toBeLessThanOrEqual(2);
    const optionLimit = await client.query('kind:* since 30d', { now, limit: 7 });
    expect(optionLimit.rows).toHaveLength(7);
    expect(optionLimit.summary.pages).toBeLessThanOrEqual(2);
  });

  it('streams rows with progress events and a summary', async () => {
    const events: ProgressEvent[] = [];
    const s = client.stream('type:login since 7d', { now, onProgress: (e) => events.push(e) });
    let n = 0;
    for await (const _ of s) n += 1;
    const summary = await s.summary;
    expect(summary.rows).toBe(n);
    expect(summary.pages).toBeGreaterThan(1);
    expect(summary.bytes).toBeGreaterThan(0);
    expect(summary.window.start).toBe(s.plan.window.start);
    expect(events.length).toBeGreaterThanOrEqual(summary.pages);
    const last = events[events.length - 1] as ProgressEvent;
    expect(last.pages).toBe(summary.pages);
    expect(last.requestsDone).toBe(last.requestsTotal);
    expect(s.columns.slice(0, 2)).toEqual(['timeStamp', 'eventId']);
  });

  it('aborts with an AbortSignal and times out with a query timeout', async () => {
    sb.setFaults({ latencyMs: 300 });
    try {
      const c = new AbortController();
      setTimeout(() => c.abort(), 100);
      await expect(
        client.query('kind:* since 30d', { now, signal: c.signal }),
      ).rejects.toMatchObject({ reason: { _tag: 'Aborted' } });
      await expect(client.query('kind:* since 30d', { now, timeoutMs: 150 })).rejects.toMatchObject(
        { reason: { _tag: 'Timeout', scope: 'query' } },
      );
    } finally {
      sb.setFaults({});
    }
  });

  it('settles return() promptly after cancel, even with a fetch that ignores its AbortSignal', async () => {
    // Real HTTP to the sandbox, but the signal is dropped (as some fetch implementations do): the
    // upstream keeps the page for 4 s, and a cancelled stream must not wait for it.
    const deaf: FetchLike = (url, init) => {
      const { signal: _ignored, ...rest } = init;
      return (nodeFetch as unknown as FetchLike)(url, rest);
    };
    const c = createClient({
      ...clientOptions(sb),
      pageSize: 100,
      fetch: deaf,
    });
    await c.query('type:login since 1h', { now });
    sb.setFaults({ latencyMs: 4000 });
    try {
      for (const how of ['cancel', 'signal'] as const) {
        const ac = new AbortController();
        const s = c.stream('kind:* since 30d', { now, signal: ac.signal });
        const it = s[Symbol.asyncIterator]();
        const pending = it.next();
        pending.catch(() => undefined);
        await new Promise((r) => setTimeout(r, 200));
        if (how === 'cancel') s.cancel();
        else ac.abort();
        const t0 = performance.now();
        await it.return?.();
        expect(performance.now() - t0).toBeLessThan(1000);
        await expect(pending).rejects.toMatchObject({ reason: { _tag: 'Aborted' } });
        await expect(s.summary).rejects.toMatchObject({ reason: { _tag: 'Aborted' } });
      }
    } finally {
      sb.setFaults({});
      await c.close();
    }
  });

  it('asks for pages no bigger than a limit still needs (full pages with a residual)', async () => {
    const c = createClient({
      ...clientOptions(sb),
    });
    const searches = () => served.filter((l) => l.includes(' /v1/banking-activities '));
    const records = () =>
      searches().reduce((n, l) => n + Number(/ records=(\d+)/.exec(l)?.[1] ?? 0), 0);
    try {
      await c.query('type:login since 1h', { now });
      for (const [text, opts, pages, most] of [
        ['type:login since 7d | limit 100', {}, 1, 100],
        ['type:login since 7d | fields timeStamp | limit 30', {}, 1, 30],
        ['type:login since 7d', { limit: 50 }, 1, 50],
        ['kind:* since 7d | limit 20', {}, 2, 40],
      ] as const) {
        served = [];
        const r = await c.query(text, { now, ...opts });
        expect(r.rows.length, text).toBe(most / pages);
        expect(searches().length, text).toBe(pages);
        expect(records(), text).toBe(most);
        const direct = await client.query(text, { now, ...opts });
        expect(guids(r.rows)).toEqual(guids(direct.rows));
      }
      // A residual may drop any record: full pages.
      served = [];
      const r = await c.query('type:login NOT channel:MOBILE since 7d | limit 10', { now });
      expect(r.rows.length).toBe(10);
      expect(records()).toBeGreaterThan(100);
    } finally {
      await c.close();
    }
  });

  it('reports a bad query as a PlanError with diagnostics', () => {
    try {
      client.compile('type:login AND (', { now });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(BaqlError);
      const reason = (error as BaqlError).reason;
      expect(reason._tag).toBe('PlanError');
      if (reason._tag === 'PlanError') expect(reason.diagnostics.length).toBeGreaterThan(0);
    }
  });

  it('explains a plan without secrets', () => {
    const text = client.explain('type:login channel:MOBILE since 1d', { now });
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toContain(sb.clientSecret);
  });
});

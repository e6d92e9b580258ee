/** The executor over real HTTP against the sandbox: paging, fan-out + dedupe, slicing, residuals, early stop. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonical, collect, lastDays, sandbox, wire, type Sandbox } from './helpers.js';
import { createClient } from '../src/client.js';
import { execute } from '../src/executor.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await sandbox();
});
afterAll(async () => {
  await sb.close();
});

const keys = (rs: readonly Record<string, string>[]) => rs.map((r) => r['guid']);

describe('executor on the sandbox', () => {
  it('pages a request to the end, newest first, with canonical keys', async () => {
    const w = wire(sb);
    const { records, pages } = await collect(w, [{ ...lastDays(sb, 3), eventIds: ['login'] }], {
      pageSize: 50,
      slicing: false,
    });
    expect(records.length).toBeGreaterThan(100);
    // Full pages of 50, then the last one (an exact multiple may end with an empty page).
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(records.length / 50));
    expect(pages).toBeLessThanOrEqual(Math.ceil(records.length / 50) + 1);
    expect(records[0]).toHaveProperty('eventId', 'login');
    expect(records[0]).toHaveProperty('timeStamp');
    const ms = records.map((r) => Date.parse(r['timeStamp'] as string));
    for (let i = 1; i < ms.length; i += 1) expect(ms[i]).toBeLessThanOrEqual(ms[i - 1] as number);
    expect(new Set(keys(records)).size).toBe(records.length);
    w.transport.close();
  });

  it('slicing returns exactly the unsliced rows, in the same order, with more requests', async () => {
    const w = wire(sb);
    const criteria = [{ ...lastDays(sb, 30), eventType: 'user' as const }];
    const plain = await collect(w, criteria, { pageSize: 200, slicing: false });
    const sliced = await collect(w, criteria, { pageSize: 200, slicing: true });
    expect(plain.records.length).toBeGreaterThan(1000);
    expect(keys(sliced.records)).toEqual(keys(plain.records));
    expect(sliced.requests).toBeGreaterThan(1);
    w.transport.close();
  });

  it('fans out overlapping requests and dedupes by guid, newest first', async () => {
    const w = wire(sb);
    const window = lastDays(sb, 5);
    const a = await collect(w, [{ ...window, eventIds: ['login', 'logout'] }], { slicing: false });
    const both = await collect(w, [
      { ...window, eventIds: ['login'] },
      { ...window, eventIds: ['login', 'logout'] },
      { ...window, eventIds: ['logout'] },
    ]);
    expect(keys(both.records)).toEqual(keys(a.records));
    w.transport.close();
  });

  it('applies the residual filter', async () => {
    const w = wire(sb);
    const window = lastDays(sb, 5);
    const all = await collect(w, [{ ...window, eventIds: ['login'] }]);
    const mobile = await collect(w, [{ ...window, eventIds: ['login'] }], {
      residual: (r) => r['channel'] === 'MOBILE',
    });
    expect(mobile.records.length).toBeGreaterThan(0);
    expect(keys(mobile.records)).toEqual(
      keys(all.records.filter((r) => r['channel'] === 'MOBILE')),
    );
    w.transport.close();
  });

  it('stops paging when the consumer stops (early stop)', async () => {
    const w = wire(sb);
    const ex = execute({ ...w, canonicalize: canonical }, [{ ...lastDays(sb, 60) }], {
      pageSize: 20,
      concurrency: 1,
      slicing: false,
    });
    let n = 0;
    for await (const batch of ex.batches) {
      n += batch.length;
      if (n >= 30) break;
    }
    expect(ex.counters.pages).toBeLessThanOrEqual(3);
    w.transport.close();
  });
});

describe('concurrency on the sandbox', () => {
  it('never has more requests in flight than the limit, across fan-out and slices', async () => {
    const sb2 = await sandbox({ faults: { latencyMs: 30 } });
    try {
      let active = 0;
      let peak = 0;
      const client = createClient({
        baseUrl: sb2.url,
        clientId: sb2.clientId,
        clientSecret: sb2.clientSecret,
        institutionId: sb2.institutionId,
        concurrency: 3,
        pageSize: 100,
        retry: { baseMs: 5, capMs: 20 },
        plugins: [
          {
            name: 'probe',
            middleware: [
              {
                name: 'probe',
                before: () => void (peak = Math.max(peak, (active += 1))),
                after: () => void (active -= 1),
              },
            ],
          },
        ],
      });
      const now = new Date(Date.parse(sb2.dataRange.end) + 1000);
      const users = sb2.users.slice(0, 6).map((u) => u.loginId);
      const r = await client.query(`user:(${users.join(' OR ')}) OR type:login since 20d`, { now });
      expect(r.rows.length).toBeGreaterThan(100);
      expect(r.summary.requests).toBeGreaterThan(3);
      expect(peak).toBe(3);
      await client.close();
    } finally {
      await sb2.close();
    }
  });
});

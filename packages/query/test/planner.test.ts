import { describe, expect, it } from 'vitest';
import { plan, type Plan } from '../src/index.js';
import { compact, GOLDEN_NOW, goldenPlans, goldenQueries, keyOf, optionsOf } from './golden.js';

const planned = (q: string, extra: Record<string, unknown> = {}): Plan => {
  const r = plan(q, { now: GOLDEN_NOW, ...extra });
  if (r._tag === 'Left') throw new Error(r.left.map((d) => d.message).join('; '));
  return r.right;
};

describe('planner', () => {
  it('plans the mission example to exactly one request', () => {
    const p = planned(
      'user:123 AND (type:login OR type:transfer) NOT segment:retail since 7d | count by type',
    );
    expect(p.requests).toHaveLength(1);
    const [req] = p.requests;
    expect(req).toMatchObject({
      userId: '123',
      userIdType: 'loginId',
      eventIds: ['login', 'transfer'],
      userType: 'business',
      startTime: '2026-11-18T12:00:00.000Z',
      endTime: GOLDEN_NOW,
    });
    expect(req?.eventType).toBeUndefined();
    expect(req?.additionalFilters).toBeUndefined();
    expect(p.residual).toBeNull();
    expect(p.window).toEqual({
      start: '2026-11-18T12:00:00.000Z',
      end: GOLDEN_NOW,
      defaulted: false,
    });
    expect(p.pipeline).toEqual([{ op: 'count', by: [{ name: 'type', attr: 'eventId' }] }]);
  });

  it('has a golden corpus of at least 60 queries', () => {
    expect(goldenQueries.length).toBeGreaterThanOrEqual(60);
  });

  for (const c of goldenQueries) {
    it(`golden: ${c.query} (${c.why})`, () => {
      const r = plan(c.query, optionsOf(c));
      expect(r._tag).toBe('Right');
      if (r._tag !== 'Right') return;
      expect(compact(r.right)).toEqual(goldenPlans[keyOf(c)]);
      for (const req of r.right.requests) {
        expect(req.startTime).toBe(r.right.window.start);
        expect(req.endTime).toBe(r.right.window.end);
      }
    });
  }

  it('reports the default window in the plan and its notes', () => {
    const p = planned('user:1');
    expect(p.window.defaulted).toBe(true);
    expect(p.notes.join('\n')).toContain('default window');
  });

  it('says why something runs client-side', () => {
    const p = planned('user:1 source:Android*');
    expect(p.residual?.text).toBe('source:Android*');
    expect(p.residual?.reasons.join(' ')).toContain('`like` capability');
  });

  it('says when maxRequests forced a wider request', () => {
    const p = planned('user:(a OR b OR c)', { maxRequests: 2 });
    expect(p.requests).toHaveLength(1);
    expect(p.notes.join(' ')).toContain('maxRequests');
    expect(p.residual?.text).toBe('user:a OR user:b OR user:c');
  });

  it('refuses a window beyond the lookback, with a configurable lookback', () => {
    const r = plan('since 120d', { now: GOLDEN_NOW });
    expect(r._tag).toBe('Left');
    if (r._tag === 'Left') expect(r.left[0]?.code).toBe('BAQL_LOOKBACK');
    expect(plan('since 120d', { now: GOLDEN_NOW, lookbackDays: 180 })._tag).toBe('Right');
  });

  it('refuses an empty window', () => {
    const r = plan('between 2026-11-10 and 2026-11-01', { now: GOLDEN_NOW });
    expect(r._tag === 'Left' && r.left[0]?.code).toBe('BAQL_EMPTY_WINDOW');
  });

  it('reports unbound parameters', () => {
    const r = plan('user:$who', { now: GOLDEN_NOW });
    expect(r._tag === 'Left' && r.left[0]?.code).toBe('BAQL_UNBOUND_PARAM');
  });

  it('resolves dates without offset in the default time zone', () => {
    const p = planned('since 2026-11-24', { timeZone: 'America/New_York' });
    expect(p.window.start).toBe('2026-11-24T05:00:00.000Z');
    const q = planned('today', { timeZone: 'Asia/Kolkata' });
    expect(q.window.start).toBe('2026-11-24T18:30:00.000Z');
    expect(planned('since -2d@d').window.start).toBe('2026-11-23T00:00:00.000Z');
  });

  it('flags unknown event ids (an error when the catalog is complete)', () => {
    const p = planned('type:lgoin');
    expect(p.diagnostics[0]?.hints).toContain('did you mean `login`?');
  });
});

describe('the lookback edge', () => {
  it('starts a window at the edge a few minutes inside it, with a warning', () => {
    const now = Date.parse(GOLDEN_NOW);
    const r = plan('type:login since 90d', { now: GOLDEN_NOW });
    if (r._tag === 'Left') throw new Error(r.left[0]?.message);
    expect(Date.parse(r.right.window.start)).toBe(now - 90 * 86_400_000 + 5 * 60_000);
    expect(r.right.requests[0]?.startTime).toBe(r.right.window.start);
    expect(r.right.diagnostics.map((d) => [d.severity, d.code])).toContainEqual([
      'warning',
      'BAQL_LOOKBACK_EDGE',
    ]);
    const inside = plan('type:login since 89d', { now: GOLDEN_NOW });
    if (inside._tag === 'Left') throw new Error(inside.left[0]?.message);
    expect(Date.parse(inside.right.window.start)).toBe(now - 89 * 86_400_000);
    expect(inside.right.diagnostics.map((d) => d.code)).not.toContain('BAQL_LOOKBACK_EDGE');
  });
});

describe('relative times with a plus sign', () => {
  it('are times, as the Time section lists them', () => {
    const now = Date.parse(GOLDEN_NOW);
    for (const [query, start, end] of [
      ['type:login from -2h to +1h', now - 2 * 3_600_000, now + 3_600_000],
      ['type:login from now-1d to now+1h', now - 86_400_000, now + 3_600_000],
    ] as const) {
      const r = plan(query, { now: GOLDEN_NOW });
      if (r._tag === 'Left') throw new Error(`${query}: ${r.left[0]?.message}`);
      expect([Date.parse(r.right.window.start), Date.parse(r.right.window.end)]).toEqual([
        start,
        end,
      ]);
    }
  });
});

describe('the unit M', () => {
  it('is refused with a hint, not read as a minute; m, H, D, W and NOW still read', () => {
    for (const query of ['since 1M', 'from -2M to now', 'from now-1M to now']) {
      const r = plan(query, { now: GOLDEN_NOW });
      expect(r._tag).toBe('Left');
      if (r._tag === 'Left') expect(r.left[0]?.message).toMatch(/`M` is not a unit/);
    }
    for (const query of ['since 15m', 'since 2H', 'since 1D', 'since 1W', 'from NOW-1h to NOW'])
      expect(plan(query, { now: GOLDEN_NOW })._tag).toBe('Right');
  });
});

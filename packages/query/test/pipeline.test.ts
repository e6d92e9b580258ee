import { describe, expect, it } from 'vitest';
import {
  createPipeline,
  matchesCriteria,
  resolve,
  runPipeline,
  canonicalizeRecord,
  type BankingActivity,
  type Row,
} from '../src/index.js';

const NOW = '2026-11-25T12:00:00.000Z';
const rec = (i: number, eventId: string, extra: Record<string, string> = {}): BankingActivity => ({
  eventId,
  guid: `g${i}`,
  timeStamp: new Date(Date.parse(NOW) - i * 3_600_000).toISOString(),
  ...extra,
});
const RECORDS = [
  rec(1, 'login', { ReqCtx_loginId: 'u1', channel: 'MOBILE', amount: '5' }),
  rec(2, 'login', { ReqCtx_loginId: 'u2', channel: 'ONLINE', amount: '100' }),
  rec(3, 'logout', { ReqCtx_loginId: 'u1', amount: '20' }),
  rec(4, 'alertSent', { channel: 'EMAIL' }),
  rec(30, 'login', { ReqCtx_loginId: 'u1', channel: 'MOBILE' }),
];

function run(q: string): Row[] {
  const r = resolve(q, { now: NOW });
  if (r._tag === 'Left') throw new Error(r.left[0]?.message);
  return runPipeline(r.right.pipeline, RECORDS, { window: r.right.window });
}

describe('pipeline', () => {
  it('projects, sorts, limits', () => {
    expect(run('| fields user, type')).toEqual([
      { user: 'u1', type: 'login' },
      { user: 'u2', type: 'login' },
      { user: 'u1', type: 'logout' },
      { type: 'alertSent' },
      { user: 'u1', type: 'login' },
    ]);
    expect(run('| sort amount desc | limit 2 | fields amount')).toEqual([
      { amount: '100' },
      { amount: '20' },
    ]);
  });

  it('counts, groups, tops and dedups', () => {
    expect(run('| count')).toEqual([{ count: 5 }]);
    expect(run('| count by type')).toEqual([
      { type: 'login', count: 3 },
      { type: 'alertSent', count: 1 },
      { type: 'logout', count: 1 },
    ]);
    expect(run('| count by kind')).toEqual([
      { kind: 'user', count: 4 },
      { kind: 'system', count: 1 },
    ]);
    expect(run('| top 1 user')).toEqual([{ user: 'u1', count: 3, percent: 75 }]);
    expect(run('| dedup user | fields user')).toEqual([{ user: 'u1' }, { user: 'u2' }]);
    expect(run('| count by type | sort count asc, type desc | limit 2')).toEqual([
      { type: 'logout', count: 1 },
      { type: 'alertSent', count: 1 },
    ]);
  });

  it('charts over time with empty buckets filled across the window', () => {
    const rows = run('since 1d | timechart 6h');
    // The record 30 h old falls before the window's first bucket: its own bucket comes first.
    expect(rows.map((r) => [r['time'], r['count']])).toEqual([
      ['2026-11-24T06:00:00.000Z', 1],
      ['2026-11-24T12:00:00.000Z', 0],
      ['2026-11-24T18:00:00.000Z', 0],
      ['2026-11-25T00:00:00.000Z', 0],
      ['2026-11-25T06:00:00.000Z', 4],
      ['2026-11-25T12:00:00.000Z', 0],
    ]);
    expect(run('since 1d | timechart 1d count by type').filter((r) => r['count'] !== 0)).toEqual([
      { time: '2026-11-24T00:00:00.000Z', type: 'login', count: 1 },
      { time: '2026-11-25T00:00:00.000Z', type: 'alertSent', count: 1 },
      { time: '2026-11-25T00:00:00.000Z', type: 'login', count: 2 },
      { time: '2026-11-25T00:00:00.000Z', type: 'logout', count: 1 },
    ]);
  });

  it('streams and tells the caller when a limit is satisfied', () => {
    const r = resolve('| limit 2', { now: NOW });
    if (r._tag === 'Left') throw new Error('bad');
    const out: Row[] = [];
    const sink = createPipeline(r.right.pipeline, {}, (row) => {
      out.push(row);
    });
    expect(sink.push(RECORDS[0] as Row)).toBe(true);
    expect(sink.push(RECORDS[1] as Row)).toBe(false);
    sink.end();
    expect(out).toHaveLength(2);
  });
});

describe('matchesCriteria (the contract semantics of docs/architecture.md)', () => {
  const base = { startTime: '2026-11-24T12:00:00.000Z', endTime: NOW };
  const r = {
    eventId: 'login',
    timeStamp: '2026-11-25T04:00:00.000-07:00',
    guid: 'x',
    channel: 'MOBILE',
    ReqCtx_customerType: 'BUSINESS',
    amount: '9',
  };
  it('compares instants with offsets, ends inclusive', () => {
    expect(
      matchesCriteria(
        { startTime: '2026-11-25T11:00:00.000Z', endTime: '2026-11-25T11:00:00.000Z' },
        r,
      ),
    ).toBe(true);
    expect(matchesCriteria({ startTime: '2026-11-25T11:00:00.001Z', endTime: NOW }, r)).toBe(false);
  });
  it('defaults eventType to user and reads userType case-insensitively', () => {
    expect(matchesCriteria({ ...base, eventType: 'system' }, r)).toBe(false);
    expect(matchesCriteria({ ...base, userType: 'business' }, r)).toBe(true);
  });
  it('implements every criteria', () => {
    const f = (criteria: string, value: string, attributeId = 'channel'): boolean =>
      matchesCriteria(
        {
          ...base,
          additionalFilters: {
            condition: 'and',
            filters: [{ attributeId, criteria: criteria as 'equals', value }],
          },
        },
        r,
      );
    expect(f('equals', 'MOBILE', 'CHANNEL')).toBe(true);
    expect(f('equals', 'mobile')).toBe(false);
    expect(f('notEqual', 'x', 'absent')).toBe(true);
    expect(f('like', 'mob%')).toBe(true);
    expect(f('like', 'm_bile')).toBe(true);
    expect(f('isPresent', '')).toBe(true);
    expect(f('isNotPresent', '', 'absent')).toBe(true);
    expect(f('greaterThan', '10', 'amount')).toBe(false);
    expect(f('lessThan', '10', 'amount')).toBe(true);
    expect(f('greaterThanEqual', '9', 'amount')).toBe(true);
  });
  it('joins sub-filters with the top condition', () => {
    expect(
      matchesCriteria(
        {
          ...base,
          additionalFilters: {
            condition: 'and',
            filters: [{ attributeId: 'channel', criteria: 'equals', value: 'MOBILE' }],
            subFilters: [
              {
                condition: 'or',
                filters: [
                  { attributeId: 'amount', criteria: 'equals', value: '1' },
                  { attributeId: 'amount', criteria: 'equals', value: '9' },
                ],
              },
            ],
          },
        },
        r,
      ),
    ).toBe(true);
  });
  it('canonicalises record keys to the catalog spelling', () => {
    expect(canonicalizeRecord({ eventid: 'login', reqctx_loginid: 'u', custom: 'x' })).toEqual({
      eventId: 'login',
      ReqCtx_loginId: 'u',
      custom: 'x',
    });
  });
});

describe('columns after a projection', () => {
  it('a later stage naming a field the rows no longer have is an error, with the columns', () => {
    for (const [query, field] of [
      ['since 1d | fields user | sort amount', 'amount'],
      ['since 1d | count by type | sort user', 'user'],
      ['since 1d | top 3 user | fields channel', 'channel'],
    ] as const) {
      const r = resolve(query, { now: NOW });
      expect(r._tag).toBe('Left');
      if (r._tag === 'Left')
        expect(r.left[0]).toMatchObject({
          code: 'BAQL_UNKNOWN_COLUMN',
          message: expect.stringContaining(`\`${field}\` is not a column here`),
        });
    }
    for (const query of [
      'since 1d | fields user, amount | sort amount',
      'since 1d | count by type | sort count desc',
      'since 1d | top 3 user | sort percent',
      'since 1d | timechart 1h | sort time desc',
    ])
      expect(resolve(query, { now: NOW })._tag).toBe('Right');
  });
});

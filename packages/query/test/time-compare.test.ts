import { describe, expect, it } from 'vitest';
import { evaluate, plan, resolve, runPipeline, type BankingActivity } from '../src/index.js';

const NOW = '2026-12-02T12:00:00.000Z';

/** Records whose local times sort one way as text and the other way as instants. */
const RECORDS: BankingActivity[] = [
  // 2026-12-01T03:00Z: before midnight in New York, after midnight UTC.
  { eventId: 'login', guid: 'a', timeStamp: '2026-11-30T22:00:00.000-05:00' },
  // 2026-12-01T01:00Z
  { eventId: 'login', guid: 'b', timeStamp: '2026-11-30T17:00:00.000-08:00' },
  // 2026-11-30T23:30Z: written as the 1st, but before midnight UTC.
  { eventId: 'login', guid: 'c', timeStamp: '2026-12-01T01:30:00.000+02:00' },
  { eventId: 'login', guid: 'd', timeStamp: 'not a time' },
];

const matching = (query: string, tz?: string) => {
  const r = resolve(query, { now: NOW, ...(tz === undefined ? {} : { timeZone: tz }) });
  if (r._tag === 'Left') throw new Error(r.left.map((d) => d.message).join('; '));
  return RECORDS.filter((rec) => evaluate(r.right.filter, rec)).map((rec) => rec.guid);
};

describe('time comparisons', () => {
  it('compare records as instants, whatever offset each carries', () => {
    expect(matching('time > 2026-12-01 since 3d')).toEqual(['a', 'b']);
    expect(matching('time < 2026-12-01 since 3d')).toEqual(['c']);
    expect(matching('time:[2026-12-01T00:30Z TO 2026-12-01T02:00Z] since 3d')).toEqual(['b']);
    expect(matching('time:2026-12-01T01:00Z..2026-12-01T03:00Z since 3d')).toEqual(['a', 'b']);
    // A date without an offset is midnight in the query's time zone, as in time clauses.
    expect(matching('time >= 2026-11-30T23:00 since 3d', 'UTC')).toEqual(['a', 'b', 'c']);
    expect(matching('time < 2026-12-01 since 3d', 'America/New_York')).toEqual(['a', 'b', 'c']);
    // Any time of the Time section: a relative one too.
    expect(matching('time > -2h since 3d')).toEqual([]);
  });

  it('stay client-side: the API would compare the text', () => {
    const r = plan('type:login time > 2026-12-01 since 3d', { now: NOW });
    if (r._tag === 'Left') throw new Error(r.left[0]?.message);
    expect(r.right.requests).toHaveLength(1);
    expect(r.right.requests[0]?.additionalFilters).toBeUndefined();
    expect(r.right.residual?.text).toContain('2026-12-01T00:00:00.000Z');
    expect([...(r.right.residual?.reasons ?? [])].join(' ')).toMatch(/instants/);
  });

  it('reject a value that is not a time, with a diagnostic', () => {
    const r = resolve('time > yesterdayish since 1d', { now: NOW });
    expect(r._tag).toBe('Left');
    if (r._tag === 'Left') expect(r.left[0]).toMatchObject({ code: 'BAQL_BAD_TIME' });
  });

  it('sort by the instant, an unreadable time last', () => {
    const r = resolve('since 3d | sort time desc', { now: NOW });
    if (r._tag === 'Left') throw new Error(r.left[0]?.message);
    const rows = runPipeline(r.right.pipeline, RECORDS, { window: r.right.window });
    expect(rows.map((row) => row['guid'])).toEqual(['a', 'b', 'c', 'd']);
  });
});

import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AccessTokenResponseC,
  SearchCriteriaC,
  SearchResponseC,
  decodeWith,
  isSearchResponse,
} from '../src/codecs.js';

describe('codecs', () => {
  it('the fast search-page check agrees with the codec', () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.string()));
    const record = fc.oneof(
      fc.dictionary(fc.string(), fc.string()),
      fc.dictionary(fc.string(), value),
    );
    const page = fc.oneof(
      fc.record(
        {
          count: fc.oneof(fc.integer(), fc.string()),
          bankingActivities: fc.oneof(fc.array(record), fc.constant(null), fc.string()),
          nextPageToken: fc.oneof(fc.string(), fc.integer()),
        },
        { requiredKeys: [] },
      ),
      fc.constant(null),
      fc.array(fc.string()),
    );
    fc.assert(
      fc.property(page, (u) => {
        expect(isSearchResponse(u)).toBe(E.isRight(SearchResponseC.decode(u)));
      }),
    );
  });

  it('decode a search page and keep records as received', () => {
    const page = {
      count: 1,
      nextPageToken: 'abc',
      bankingActivities: [
        { eventid: 'login', timestamp: '2026-04-27T16:59:29.331-07:00', guid: 'g' },
      ],
    };
    const r = decodeWith(SearchResponseC, 'search response', page);
    expect(E.isRight(r) && r.right).toEqual(page);
  });
  it('name the path of every problem, never a partial result', () => {
    const r = decodeWith(
      SearchResponseC,
      'search response',
      { count: '1', bankingActivities: [{ a: 'x' }, { amount: 12 }] },
      'tid',
    );
    expect(E.isLeft(r)).toBe(true);
    if (E.isLeft(r)) {
      expect(r.left.transactionId).toBe('tid');
      expect(r.left.paths.join('\n')).toContain(
        'bankingActivities[1].amount: expected a string, got number',
      );
      expect(r.left.paths.join('\n')).toContain('count');
    }
  });
  it('reject a page without bankingActivities', () => {
    const r = decodeWith(SearchResponseC, 'search response', { count: 0 });
    expect(E.isLeft(r) && r.left.paths[0]).toContain('bankingActivities');
  });
  it('accept expires_in as string or number', () => {
    const a = AccessTokenResponseC.decode({
      access_token: 'a',
      expires_in: '3600',
      token_type: 'Bearer',
    });
    const b = AccessTokenResponseC.decode({
      access_token: 'a',
      expires_in: 3600,
      token_type: 'Bearer',
    });
    expect(E.isRight(a) && E.isRight(b) && a.right.expires_in === b.right.expires_in).toBe(true);
  });
  it('round-trip any valid search criteria (property)', () => {
    const criteria = fc.record(
      {
        startTime: fc.string(),
        endTime: fc.string(),
        pageSize: fc.integer(),
        eventIds: fc.array(fc.string()),
        eventType: fc.constantFrom('user' as const, 'system' as const),
        userId: fc.string(),
        userIdType: fc.constantFrom('loginId' as const, 'memberId' as const),
        additionalFilters: fc.record({
          condition: fc.constantFrom('and' as const, 'or' as const),
          filters: fc.array(
            fc.record({
              attributeId: fc.string(),
              criteria: fc.constantFrom('equals' as const, 'like' as const),
              value: fc.string(),
            }),
          ),
        }),
      },
      { requiredKeys: ['startTime', 'endTime'] },
    );
    fc.assert(
      fc.property(criteria, (c) => {
        const r = SearchCriteriaC.decode(JSON.parse(JSON.stringify(c)));
        return (
          E.isRight(r) && JSON.stringify(SearchCriteriaC.encode(r.right)) === JSON.stringify(c)
        );
      }),
    );
  });
});

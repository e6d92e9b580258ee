import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchesCriteria, type SearchCriteria, type ServiceFilter } from '@baql/query';
import { startSandbox, type Sandbox } from '../src/index.js';
import {
  accessToken,
  daysAgo,
  revokeRequest,
  searchAll,
  searchRequest,
  tokenRequest,
  type Page,
} from './helpers.js';

let sb: Sandbox;
let token: string;
const window = () => ({
  startTime: daysAgo(89.9),
  endTime: new Date(Date.now() + 60_000).toISOString(),
});

beforeAll(async () => {
  sb = await startSandbox({ port: 0, events: 5000, seed: 7 });
  token = await accessToken(sb);
});
afterAll(async () => {
  await sb.close();
});

const instant = (r: Record<string, string>) => Date.parse(r.timestamp ?? '');

describe('POST /v1/banking-activities', () => {
  it('answers gzip JSON with string-only values, lowercase keys, user events only, newest first', async () => {
    const r = await searchRequest(sb, token, {
      startTime: daysAgo(30),
      endTime: new Date().toISOString(),
    });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.raw.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const page = r.json as Page;
    expect(page.count).toBe(page.bankingActivities.length);
    expect(page.count).toBe(1000);
    expect(page.nextPageToken).toMatch(/^[A-Za-z0-9_-]+$/);
    for (const rec of page.bankingActivities) {
      for (const [k, v] of Object.entries(rec)) {
        expect(k).toBe(k.toLowerCase());
        expect(typeof v).toBe('string');
      }
      expect(['alertSent', 'apiUse']).not.toContain(rec.eventid);
      expect(rec.guid).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(rec.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
    }
    const times = page.bankingActivities.map(instant);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('pages through a 90-day window: same records whatever the page size, no duplicates, strictly ordered', async () => {
    const criteria = { ...window(), eventIds: ['login', 'logout'] };
    const small = await searchAll(sb, token, { ...criteria, pageSize: 150 });
    const large = await searchAll(sb, token, { ...criteria, pageSize: 5000 });
    expect(large.records.length).toBeGreaterThan(1000);
    expect(small.pages).toBe(Math.ceil(small.records.length / 150));
    expect(large.pages).toBe(Math.ceil(large.records.length / 1000));
    expect(small.records.map((r) => r.guid)).toEqual(large.records.map((r) => r.guid));
    expect(new Set(small.records.map((r) => r.guid)).size).toBe(small.records.length);
    for (let i = 1; i < small.records.length; i += 1) {
      const a = small.records[i - 1] as Record<string, string>;
      const b = small.records[i] as Record<string, string>;
      expect(
        instant(a) > instant(b) || (instant(a) === instant(b) && (a.guid ?? '') > (b.guid ?? '')),
      ).toBe(true);
      expect(['login', 'logout']).toContain(b.eventid);
    }
  });

  it('answers 204 with an empty body when nothing matches', async () => {
    const r = await searchRequest(sb, token, {
      ...window(),
      userId: 'nobody-at-all',
      userIdType: 'loginId',
    });
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
  });

  it('eventType system answers only alertSent and apiUse', async () => {
    const { records } = await searchAll(sb, token, { ...window(), eventType: 'system' });
    expect(records.length).toBeGreaterThan(0);
    expect(new Set(records.map((r) => r.eventid))).toEqual(new Set(['alertSent', 'apiUse']));
  });

  it('scopes by loginId, memberId, companyId, userType and userProduct', async () => {
    const user = sb.users.find((u) => u.segment === 'retail');
    expect(user).toBeDefined();
    const byLogin = await searchAll(sb, token, {
      ...window(),
      userId: user?.loginId,
      userIdType: 'loginId',
    });
    expect(byLogin.records.length).toBeGreaterThan(0);
    expect(byLogin.records.every((r) => r.reqctx_loginid === user?.loginId)).toBe(true);
    const byMember = await searchAll(sb, token, {
      ...window(),
      userId: user?.memberId,
      userIdType: 'memberId',
    });
    expect(byMember.records.map((r) => r.guid)).toEqual(byLogin.records.map((r) => r.guid));
    const company = sb.companies[0];
    const byCompany = await searchAll(sb, token, { ...window(), companyId: company });
    expect(byCompany.records.length).toBeGreaterThan(0);
    expect(
      byCompany.records.every(
        (r) => r.reqctx_companyid === company && r.reqctx_customertype === 'BUSINESS',
      ),
    ).toBe(true);
    const business = await searchAll(sb, token, {
      ...window(),
      userType: 'business',
      eventIds: ['login'],
    });
    expect(business.records.every((r) => r.reqctx_customertype === 'BUSINESS')).toBe(true);
    const retail = await searchAll(sb, token, {
      ...window(),
      userType: 'retail',
      eventIds: ['login'],
    });
    expect(retail.records.every((r) => r.reqctx_customertype === 'RETAIL')).toBe(true);
    const all = await searchAll(sb, token, { ...window(), eventIds: ['login'] });
    expect(business.records.length + retail.records.length).toBe(all.records.length);
    const mobile = await searchAll(sb, token, {
      ...window(),
      userProduct: 'Common Mobile Services',
      eventIds: ['login'],
    });
    expect(mobile.records.length).toBeGreaterThan(0);
    expect(mobile.records.every((r) => r.reqctx_userproduct === 'Common Mobile Services')).toBe(
      true,
    );
  });

  it('keeps eventId, ReqCtx_id and timeStamp beside the requestedAttributes (matched case-insensitively)', async () => {
    const r = await searchRequest(sb, token, {
      ...window(),
      pageSize: 50,
      requestedAttributes: ['channel', 'ReqCtx_loginId', 'errorMessage'],
    });
    const page = r.json as Page;
    for (const rec of page.bankingActivities) {
      for (const k of Object.keys(rec))
        expect([
          'eventid',
          'reqctx_id',
          'timestamp',
          'channel',
          'reqctx_loginid',
          'errormessage',
        ]).toContain(k);
      expect(rec.reqctx_loginid).toBeDefined();
    }
  });

  it('serves the older path /data-apis/v1/banking-activities and deflate on request', async () => {
    const r = await searchRequest(
      sb,
      token,
      { ...window(), pageSize: 5 },
      { path: '/data-apis/v1/banking-activities', headers: { 'accept-encoding': 'deflate' } },
    );
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe('deflate');
    expect((r.json as Page).count).toBe(5);
    const noHeader = await searchRequest(
      sb,
      token,
      { ...window(), pageSize: 5 },
      { omit: ['accept-encoding'] },
    );
    expect(noHeader.headers['content-encoding']).toBe('gzip');
  });

  it('a revoked access token no longer works', async () => {
    const t = await accessToken(sb);
    expect((await searchRequest(sb, t, { ...window(), pageSize: 1 })).status).toBe(200);
    expect((await revokeRequest(sb, t)).status).toBe(204);
    const after = await searchRequest(sb, t, { ...window(), pageSize: 1 });
    expect(after.status).toBe(401);
    expect((after.json as { code: string }).code).toBe('BAS_10102');
  });
});

/** The shared additionalFilters semantics (docs/architecture.md), written independently of the SQL. */
function finite(s: string): number | undefined {
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}
function likeToRegExp(p: string): RegExp {
  const body = p
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/%/g, '[\\s\\S]*')
    .replace(/_/g, '[\\s\\S]');
  return new RegExp(`^${body}$`, 'i');
}
type F = { attributeId: string; criteria: string; value: string };
function holds(rec: Record<string, string>, f: F): boolean {
  const key = Object.keys(rec).find((k) => k.toLowerCase() === f.attributeId.toLowerCase());
  const v = key === undefined ? undefined : rec[key];
  const cmp = (a: string, b: string) => {
    const na = finite(a);
    const nb = finite(b);
    if (na !== undefined && nb !== undefined) return na < nb ? -1 : na > nb ? 1 : 0;
    return a < b ? -1 : a > b ? 1 : 0;
  };
  switch (f.criteria) {
    case 'equals':
      return v !== undefined && v === f.value;
    case 'notEqual':
      return v === undefined || v !== f.value;
    case 'like':
      return v !== undefined && likeToRegExp(f.value).test(v);
    case 'isPresent':
      return v !== undefined && v !== '';
    case 'isNotPresent':
      return v === undefined || v === '';
    case 'greaterThan':
      return v !== undefined && cmp(v, f.value) > 0;
    case 'lessThan':
      return v !== undefined && cmp(v, f.value) < 0;
    case 'greaterThanEqual':
      return v !== undefined && cmp(v, f.value) >= 0;
    default:
      return v !== undefined && cmp(v, f.value) <= 0;
  }
}

describe('additionalFilters run in SQL with the shared semantics', () => {
  let all: Record<string, string>[] = [];
  const base = { startTime: daysAgo(20), endTime: new Date(Date.now() + 60_000).toISOString() };
  beforeAll(async () => {
    all = (await searchAll(sb, token, base)).records;
  });

  const attr = fc.constantFrom(
    'channel',
    'CHANNEL',
    'amount',
    'result',
    'reqctx_featurename',
    'ReqCtx_FeatureName',
    'errorCode',
    'payeename',
    'fee',
    'source',
    'nosuchattr',
  );
  const values = fc.constantFrom(
    'MOBILE',
    'ONLINE',
    'mobile',
    'Success',
    'login',
    'Login',
    'L%',
    '%o_',
    '%pay%',
    '100',
    '99.5',
    '1e3',
    ' 100',
    '0x10',
    '+5.',
    '',
    'Web',
    'INVALID_CREDENTIALS',
    '0.01',
    'B',
  );
  const criteria = fc.constantFrom(
    'equals',
    'notEqual',
    'like',
    'isPresent',
    'isNotPresent',
    'greaterThan',
    'lessThan',
    'greaterThanEqual',
    'lessThanEqual',
  );
  const filter = fc.record({ attributeId: attr, criteria, value: values });
  const cond = fc.constantFrom<'and' | 'or'>('and', 'or');
  const group = fc.record({
    condition: cond,
    filters: fc.array(filter, { minLength: 1, maxLength: 3 }),
    sub: fc.option(fc.array(filter, { minLength: 1, maxLength: 3 }), { nil: undefined }),
  });

  it('matches an independent evaluation of every criteria on the same records', async () => {
    expect(all.length).toBeGreaterThan(500);
    await fc.assert(
      fc.asyncProperty(group, async (g) => {
        const subCond = g.condition === 'and' ? 'or' : 'and';
        const additionalFilters = {
          condition: g.condition,
          filters: g.filters,
          ...(g.sub ? { subFilters: [{ condition: subCond, filters: g.sub }] } : {}),
        };
        const got = await searchAll(sb, token, { ...base, additionalFilters });
        const expected = all.filter((rec) => {
          const parts = g.filters.map((f) => holds(rec, f));
          if (g.sub) {
            const s = g.sub.map((f) => holds(rec, f));
            parts.push(subCond === 'and' ? s.every(Boolean) : s.some(Boolean));
          }
          return g.condition === 'and' ? parts.every(Boolean) : parts.some(Boolean);
        });
        expect(got.records.map((r) => r.guid)).toEqual(expected.map((r) => r.guid));
      }),
      { numRuns: 60 },
    );
  });

  it('agrees with matchesCriteria of @baql/query (the evaluator the planner is proven against)', async () => {
    await fc.assert(
      fc.asyncProperty(group, async (g) => {
        const subCond = g.condition === 'and' ? 'or' : 'and';
        const criteria = {
          ...base,
          additionalFilters: {
            condition: g.condition,
            filters: g.filters as ServiceFilter[],
            ...(g.sub
              ? { subFilters: [{ condition: subCond, filters: g.sub as ServiceFilter[] }] }
              : {}),
          },
        } satisfies SearchCriteria;
        const got = await searchAll(sb, token, criteria);
        expect(got.records.map((r) => r.guid)).toEqual(
          all.filter((rec) => matchesCriteria(criteria, rec)).map((r) => r.guid),
        );
      }),
      { numRuns: 25 },
    );
  });

  it('accepts the legacy single subFilter object', async () => {
    const filters = [{ attributeId: 'channel', criteria: 'equals', value: 'MOBILE' }];
    const sub = {
      condition: 'or',
      filters: [
        { attributeId: 'reqctx_featurename', criteria: 'like', value: 'login' },
        { attributeId: 'reqctx_featurename', criteria: 'like', value: 'logout' },
      ],
    };
    const a = await searchAll(sb, token, {
      ...base,
      additionalFilters: { condition: 'and', filters, subFilter: sub },
    });
    const b = await searchAll(sb, token, {
      ...base,
      additionalFilters: { condition: 'and', filters, subFilters: [sub] },
    });
    expect(a.records.length).toBeGreaterThan(0);
    expect(a.records.map((r) => r.guid)).toEqual(b.records.map((r) => r.guid));
  });
});

describe('several institutions', () => {
  it('keeps each institution’s data apart and binds page tokens to it', async () => {
    const multi = await startSandbox({ port: 0, events: 1500, institutions: ['00016', '00042'] });
    try {
      const other = await tokenRequest(
        multi,
        { grant_type: 'client_credentials' },
        { headers: { institutionId: '00042' } },
      );
      expect(other.status).toBe(200);
      const t42 = (other.json as { access_token: string }).access_token;
      const t16 = await accessToken(multi);
      const w = { startTime: daysAgo(60), endTime: new Date().toISOString(), pageSize: 50 };
      const p42 = (await searchRequest(multi, t42, w)).json as Page;
      const p16 = (await searchRequest(multi, t16, w)).json as Page;
      expect(p42.bankingActivities.every((r) => r.reqctx_homeid === '00042')).toBe(true);
      expect(p16.bankingActivities.every((r) => r.reqctx_homeid === '00016')).toBe(true);
      const cross = await searchRequest(multi, t16, { ...w, nextPageToken: p42.nextPageToken });
      expect((cross.json as { code: string }).code).toBe('BAS_10206');
    } finally {
      await multi.close();
    }
  });
});

describe('keyCase camel', () => {
  it('answers camelCase attribute names', async () => {
    const camel = await startSandbox({ port: 0, events: 500, seed: 3, keyCase: 'camel' });
    try {
      const t = await accessToken(camel);
      const r = await searchRequest(camel, t, {
        startTime: daysAgo(60),
        endTime: new Date().toISOString(),
        pageSize: 10,
      });
      const rec = (r.json as Page).bankingActivities[0] ?? {};
      expect(Object.keys(rec)).toEqual(
        expect.arrayContaining([
          'eventId',
          'timeStamp',
          'guid',
          'ReqCtx_id',
          'ReqCtx_loginId',
          'ReqCtx_customerType',
        ]),
      );
    } finally {
      await camel.close();
    }
  });
});

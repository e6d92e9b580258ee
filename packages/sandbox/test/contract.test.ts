/**
 * The contract suite: every BAS_/CMN_ code the sandbox can produce, each with the contract's
 * HTTP status and message, triggered by a real request (and validated against the OpenAPI
 * excerpt by the helpers).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, startSandbox, type ErrorCode, type Sandbox } from '../src/index.js';
import {
  accessToken,
  daysAgo,
  revokeRequest,
  searchRequest,
  send,
  tokenRequest,
  type Page,
  type Reply,
} from './helpers.js';

let sb: Sandbox;
let token: string;
const seen = new Set<string>();
/** Codes only an internal failure of the sandbox itself can produce (no request can reach them). */
const INTERNAL_ONLY = new Set<ErrorCode>(['CMN_90000']);

const window = () => ({ startTime: daysAgo(30), endTime: new Date().toISOString() });

function expectError(r: Reply, code: ErrorCode, status?: number): void {
  const body = r.json as { code: string; message: string };
  expect(body.code, r.text).toBe(code);
  const [contractStatus, message] = ERROR_CODES[code];
  expect(r.status).toBe(status ?? contractStatus);
  expect(typeof body.message).toBe('string');
  if (status === undefined) expect(body.message).toBe(message);
  seen.add(code);
}

beforeAll(async () => {
  sb = await startSandbox({ port: 0, events: 2000, seed: 11 });
  token = await accessToken(sb);
});
afterAll(async () => {
  await sb.close();
});

describe('Banking Activities errors (BAS_)', () => {
  const cases: [string, ErrorCode, () => unknown, Record<string, string>?][] = [
    ['start not before end', 'BAS_10001', () => ({ startTime: daysAgo(1), endTime: daysAgo(2) })],
    [
      'start equal to end',
      'BAS_10001',
      () => {
        // One instant for both (two calls can fall a millisecond apart: a valid window).
        const at = daysAgo(1);
        return { startTime: at, endTime: at };
      },
    ],
    [
      'start beyond the 90-day lookback',
      'BAS_10002',
      () => ({ startTime: daysAgo(91), endTime: daysAgo(1) }),
    ],
    ['pageSize of the wrong type', 'BAS_10005', () => ({ ...window(), pageSize: 'ten' })],
    ['eventIds not an array', 'BAS_10005', () => ({ ...window(), eventIds: 'login' })],
    [
      'startTime not a date-time',
      'BAS_10005',
      () => ({ startTime: 'yesterday', endTime: daysAgo(0) }),
    ],
    [
      'same condition on a sub-filter',
      'BAS_10008',
      () => ({
        ...window(),
        additionalFilters: {
          condition: 'and',
          filters: [{ attributeId: 'channel', criteria: 'equals', value: 'MOBILE' }],
          subFilters: [
            {
              condition: 'and',
              filters: [{ attributeId: 'source', criteria: 'equals', value: 'Web' }],
            },
          ],
        },
      }),
    ],
    ['invalid userType', 'BAS_10009', () => ({ ...window(), userType: 'corporate' })],
    ['invalid userIdType', 'BAS_10010', () => ({ ...window(), userId: 'x', userIdType: 'email' })],
    ['userId without userIdType', 'BAS_10011', () => ({ ...window(), userId: 'x' })],
    ['invalid eventType', 'BAS_10012', () => ({ ...window(), eventType: 'admin' })],
    [
      'empty additionalFilters',
      'BAS_10021',
      () => ({ ...window(), additionalFilters: { condition: 'and', filters: [] } }),
    ],
    [
      'non-printable characters in the body',
      'BAS_10201',
      () => ({ ...window(), userId: 'caf\u00e9', userIdType: 'loginId' }),
    ],
    ['missing startTime', 'BAS_10204', () => ({ endTime: daysAgo(0) })],
    [
      'unknown criteria',
      'BAS_10204',
      () => ({
        ...window(),
        additionalFilters: {
          condition: 'and',
          filters: [{ attributeId: 'channel', criteria: 'startsWith', value: 'M' }],
        },
      }),
    ],
    [
      'garbage nextPageToken',
      'BAS_10206',
      () => ({ ...window(), nextPageToken: 'not-a-token-at-all' }),
    ],
  ];
  for (const [name, code, body] of cases) {
    it(`${code}: ${name}`, async () => {
      expectError(await searchRequest(sb, token, body()), code);
    });
  }

  it('BAS_10004: a LIKE pattern SQLite cannot run', async () => {
    const r = await searchRequest(sb, token, {
      ...window(),
      additionalFilters: {
        condition: 'and',
        filters: [{ attributeId: 'channel', criteria: 'like', value: '%a'.repeat(30_000) }],
      },
    });
    expectError(r, 'BAS_10004');
  });

  it('BAS_10006: a body that is not JSON', async () => {
    expectError(
      await searchRequest(sb, token, undefined, { rawBody: '{"startTime": ' }),
      'BAS_10006',
    );
    expectError(
      await searchRequest(sb, token, undefined, {
        rawBody: JSON.stringify(window()),
        headers: { 'content-type': 'text/plain' },
      }),
      'BAS_10006',
    );
  });

  it('BAS_10204: an empty body', async () => {
    expectError(await searchRequest(sb, token, undefined, { rawBody: '' }), 'BAS_10204');
  });

  it('BAS_10206: a token resent with changed criteria', async () => {
    const w = window();
    const first = await searchRequest(sb, token, { ...w, pageSize: 10 });
    const next = (first.json as Page).nextPageToken;
    expect(next).toBeDefined();
    const same = await searchRequest(sb, token, { ...w, pageSize: 10, nextPageToken: next });
    expect(same.status).toBe(200);
    expectError(
      await searchRequest(sb, token, {
        ...w,
        eventIds: ['login'],
        pageSize: 10,
        nextPageToken: next,
      }),
      'BAS_10206',
    );
    expectError(
      await searchRequest(sb, token, {
        ...w,
        endTime: daysAgo(0.5),
        pageSize: 10,
        nextPageToken: next,
      }),
      'BAS_10206',
    );
  });

  it('BAS_10101: no Authorization header (401), or credentials that are not a Bearer token (403)', async () => {
    expectError(await searchRequest(sb, undefined, window()), 'BAS_10101');
    const basic = await searchRequest(sb, undefined, window(), {
      headers: { authorization: 'Basic abc' },
    });
    expectError(basic, 'BAS_10101', 403);
    expect((basic.json as { message: string }).message).toBe(
      'Full authentication was not provided in the request.',
    );
  });

  it('BAS_10102: an unknown access token', async () => {
    expectError(await searchRequest(sb, 'AAAAAAAAAAAAAAAAAAAAAAAAAAAA', window()), 'BAS_10102');
  });

  it('BAS_10103: a token without banking-activities:read', async () => {
    const narrow = await accessToken(sb, 'accounts:read');
    expectError(await searchRequest(sb, narrow, window()), 'BAS_10103');
  });

  it('BAS_10104: a JWT instead of an access token', async () => {
    expectError(
      await searchRequest(sb, 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', window()),
      'BAS_10104',
    );
  });

  it('BAS_10105: an institutionId header other than the token’s', async () => {
    expectError(
      await searchRequest(sb, token, window(), { headers: { institutionId: '99999' } }),
      'BAS_10105',
    );
  });

  it('BAS_10202: a transactionId longer than 36 characters', async () => {
    expectError(
      await searchRequest(sb, token, window(), {
        headers: { transactionId: `${randomUUID()}-extra` },
      }),
      'BAS_10202',
    );
  });

  it('BAS_10203: a missing or non-UUID transactionId, or an unsupported Accept-Encoding', async () => {
    expectError(await searchRequest(sb, token, window(), { omit: ['transactionId'] }), 'BAS_10203');
    expectError(
      await searchRequest(sb, token, window(), { headers: { transactionId: 'abc' } }),
      'BAS_10203',
    );
    expectError(
      await searchRequest(sb, token, window(), { headers: { 'accept-encoding': 'br' } }),
      'BAS_10203',
    );
  });

  it('BAS_10205: a header value that is too long', async () => {
    expectError(
      await searchRequest(sb, token, window(), { headers: { 'x-note': 'a'.repeat(5000) } }),
      'BAS_10205',
    );
  });

  it('BAS_10207: a method other than POST', async () => {
    expectError(await searchRequest(sb, token, undefined, { method: 'GET' }), 'BAS_10207');
    expectError(await searchRequest(sb, token, window(), { method: 'PUT' }), 'BAS_10207');
  });

  it('BAS_10007: notEqual and like when the deployment rejects them', async () => {
    const strict = await startSandbox({ port: 0, events: 300, rejectNotEqualLike: true });
    try {
      const t = await accessToken(strict);
      for (const criteria of ['notEqual', 'like']) {
        expectError(
          await searchRequest(strict, t, {
            ...window(),
            additionalFilters: {
              condition: 'and',
              filters: [{ attributeId: 'channel', criteria, value: 'MOBILE' }],
            },
          }),
          'BAS_10007',
        );
      }
      const ok = await searchRequest(strict, t, {
        ...window(),
        additionalFilters: {
          condition: 'and',
          filters: [{ attributeId: 'channel', criteria: 'equals', value: 'MOBILE' }],
        },
      });
      expect([200, 204]).toContain(ok.status);
    } finally {
      await strict.close();
    }
  });

  it('BAS_10103 also for a token without account:read when the older rule is on', async () => {
    const older = await startSandbox({ port: 0, events: 300, requireAccountRead: true });
    try {
      expectError(
        await searchRequest(older, await accessToken(older, 'banking-activities:read'), window()),
        'BAS_10103',
      );
      const both = await accessToken(older, 'banking-activities:read, account:read');
      expect([200, 204]).toContain((await searchRequest(older, both, window())).status);
    } finally {
      await older.close();
    }
  });

  it('BAS_99999 and the gateway’s CMN_90001/CMN_90002 500s under the error fault', async () => {
    sb.setFaults({ errorRate: 1 });
    try {
      const codes = new Set<string>();
      for (let i = 0; i < 40 && codes.size < 3; i += 1) {
        const r = await searchRequest(sb, token, window());
        expect(r.status).toBe(500);
        codes.add((r.json as { code: string }).code);
      }
      expect(codes).toEqual(new Set(['BAS_99999', 'CMN_90001', 'CMN_90002']));
      seen.add('BAS_99999');
    } finally {
      sb.setFaults({});
    }
  });
});

describe('Auth v2 errors (CMN_)', () => {
  const basic = (id: string, secret: string) =>
    `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

  it('CMN_90001: no Authorization header', async () => {
    expectError(
      await tokenRequest(sb, { grant_type: 'client_credentials' }, { omit: ['authorization'] }),
      'CMN_90001',
    );
  });
  it('CMN_90010: an Authorization header that is not Basic client:secret', async () => {
    expectError(
      await tokenRequest(
        sb,
        { grant_type: 'client_credentials' },
        { headers: { authorization: 'Bearer abc' } },
      ),
      'CMN_90010',
    );
    expectError(
      await tokenRequest(
        sb,
        { grant_type: 'client_credentials' },
        { headers: { authorization: `Basic ${Buffer.from('nocolon').toString('base64')}` } },
      ),
      'CMN_90010',
    );
  });
  it('CMN_90004: a wrong secret or an unknown client', async () => {
    expectError(
      await tokenRequest(
        sb,
        { grant_type: 'client_credentials' },
        { client: [sb.clientId, 'wrong'] },
      ),
      'CMN_90004',
    );
    expectError(
      await tokenRequest(sb, { grant_type: 'client_credentials' }, { client: ['someone', 'x'] }),
      'CMN_90004',
    );
  });
  it('CMN_90005: a missing or foreign institutionId', async () => {
    expectError(
      await tokenRequest(sb, { grant_type: 'client_credentials' }, { omit: ['institutionId'] }),
      'CMN_90005',
    );
    expectError(
      await tokenRequest(
        sb,
        { grant_type: 'client_credentials' },
        { headers: { institutionId: '01234' } },
      ),
      'CMN_90005',
    );
  });
  it('CMN_90007: an unknown or missing grant_type', async () => {
    expectError(await tokenRequest(sb, { grant_type: 'implicit' }), 'CMN_90007');
    expectError(await tokenRequest(sb, {}), 'CMN_90007');
  });
  it('CMN_90008: a missing or invalid transactionId', async () => {
    expectError(
      await tokenRequest(sb, { grant_type: 'client_credentials' }, { omit: ['transactionId'] }),
      'CMN_90008',
    );
    expectError(
      await tokenRequest(
        sb,
        { grant_type: 'client_credentials' },
        { headers: { transactionId: '42' } },
      ),
      'CMN_90008',
    );
  });
  it('CMN_90011: a body that is not form-encoded', async () => {
    expectError(
      await tokenRequest(
        sb,
        { grant_type: 'client_credentials' },
        { headers: { 'content-type': 'application/json' } },
      ),
      'CMN_90011',
    );
  });
  it('CMN_90012: a scope the client is not allowed', async () => {
    expectError(
      await tokenRequest(sb, {
        grant_type: 'client_credentials',
        scopes: 'banking-activities:read, money:move',
      }),
      'CMN_90012',
    );
  });
  it('CMN_90013 / CMN_90014: password grant without username or password', async () => {
    expectError(await tokenRequest(sb, { grant_type: 'password', password: 'x' }), 'CMN_90013');
    expectError(await tokenRequest(sb, { grant_type: 'password', username: 'x' }), 'CMN_90014');
  });
  it('CMN_90015 then CMN_90009: wrong passwords, then the account is blocked', async () => {
    const user = sb.users.find((u) => u.segment === 'business');
    expect(user).toBeDefined();
    for (let i = 0; i < 5; i += 1)
      expectError(
        await tokenRequest(sb, {
          grant_type: 'password',
          username: user?.username ?? '',
          password: 'guess',
        }),
        'CMN_90015',
      );
    expectError(
      await tokenRequest(sb, {
        grant_type: 'password',
        username: user?.username ?? '',
        password: user?.password ?? '',
      }),
      'CMN_90009',
    );
  });
  it('CMN_90016: an unknown refresh token', async () => {
    expectError(
      await tokenRequest(sb, { grant_type: 'refresh_token', refresh_token: 'nope' }),
      'CMN_90016',
    );
  });
  it('CMN_90017: non-printable characters in the form', async () => {
    expectError(
      await tokenRequest(sb, { grant_type: 'password', username: 'jos\u00e9', password: 'x' }),
      'CMN_90017',
    );
  });
  it('CMN_90006: revoking another client’s token, or a grant the client may not use', async () => {
    const t = await accessToken(sb);
    expectError(
      await revokeRequest(sb, t, [sb.partnerClientId, sb.partnerClientSecret]),
      'CMN_90006',
    );
    const limited = await startSandbox({
      port: 0,
      events: 200,
      config: {
        clients: [{ clientId: 'cc-only', secret: 's3cret', grants: ['client_credentials'] }],
      },
    });
    try {
      expectError(
        await tokenRequest(
          limited,
          { grant_type: 'password', username: 'a', password: 'b' },
          { client: ['cc-only', 's3cret'] },
        ),
        'CMN_90006',
      );
      expect(
        (
          await tokenRequest(
            limited,
            { grant_type: 'client_credentials' },
            { client: ['cc-only', 's3cret'] },
          )
        ).status,
      ).toBe(200);
    } finally {
      await limited.close();
    }
  });
  it('CMN_90018 and CMN_90020: the OIDC helpers reject a bad bearer and self-authorization', async () => {
    const bad = await send(
      `${sb.url}/v1/client-authorization`,
      'POST',
      {
        authorization: 'Bearer nope',
        transactionId: randomUUID(),
        'content-type': 'application/x-www-form-urlencoded',
      },
      `client_id=${sb.partnerClientId}`,
    );
    expect(bad.status).toBe(400);
    expect((bad.json as { code: string }).code).toBe('CMN_90018');
    seen.add('CMN_90018');
    const t = await accessToken(sb);
    const user = sb.users[0];
    const self = await send(
      `${sb.url}/v1/auth-code`,
      'POST',
      {
        authorization: `Bearer ${t}`,
        transactionId: randomUUID(),
        institutionId: sb.institutionId,
        'content-type': 'application/x-www-form-urlencoded',
      },
      new URLSearchParams({
        client_id: sb.clientId,
        scopes: 'accounts:read',
        username: user?.username ?? '',
        institution_user_id: user?.memberId ?? '',
      }).toString(),
    );
    expect(self.status).toBe(400);
    expect((self.json as { code: string }).code).toBe('CMN_90020');
    seen.add('CMN_90020');
    void basic;
  });
  it('CMN_90002 as 429 with Retry-After under the rate-limit fault', async () => {
    sb.setFaults({ rateLimitRate: 1 });
    try {
      const r = await searchRequest(sb, token, window());
      expect(r.status).toBe(429);
      expect(r.headers['retry-after']).toBe('1');
      expect((r.json as { code: string }).code).toBe('CMN_90002');
      seen.add('CMN_90002');
    } finally {
      sb.setFaults({});
    }
  });
});

describe('coverage of the error table', () => {
  it('every code the sandbox can produce was triggered above', () => {
    const missing = (Object.keys(ERROR_CODES) as ErrorCode[]).filter(
      (c) => !seen.has(c) && !INTERNAL_ONLY.has(c),
    );
    expect(missing).toEqual([]);
  });
});

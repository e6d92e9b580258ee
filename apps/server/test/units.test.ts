import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatHeader, parseSavedQuery, type ParamSpec } from '@baql/query';
import {
  authenticate,
  hashKey,
  loadApiKeys,
  parseApiKeysEnv,
  presentedKey,
  ApiKeyConfigError,
} from '../src/api-keys.js';
import { routeLabel } from '../src/app.js';
import { rawProblemAnswer, rawProblemOf } from '../src/client-error.js';
import { throttleKind, toProblem } from '../src/map-error.js';
import { ProblemError } from '../src/problem.js';
import { RateLimiter } from '../src/rate-limiter.js';
import { describeProblems, parseSavedFile, SAVED_NAME } from '../src/saved-queries.js';
import { parseTraceParent, requestIdFrom, transactionIdFor } from '../src/tracing.js';
import { nthTransactionId, operationOf } from '../src/upstream.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const rate = { max: 10, windowMs: 1000 };

describe('api keys', () => {
  it('parses BAQL_API_KEYS and refuses malformed entries without echoing the key', () => {
    expect(parseApiKeysEnv('a=0123456789abcdef, b = fedcba9876543210 ')).toEqual([
      { name: 'a', key: '0123456789abcdef' },
      { name: 'b', key: 'fedcba9876543210' },
    ]);
    expect(parseApiKeysEnv(undefined)).toEqual([]);
    expect(() => parseApiKeysEnv('secretwithoutname')).toThrow(/entry 1 is not name=key/);
    try {
      parseApiKeysEnv('secretwithoutname');
    } catch (error) {
      expect(String(error)).not.toContain('secretwithoutname');
    }
  });

  it('refuses to start with no key (unless a bearer verifier is configured)', async () => {
    const { createServer } = await import('../src/index.js');
    expect(() => createServer({ client: {} as never, env: {} })).toThrow(/BAQL_API_KEYS/);
    const app = createServer({ client: {} as never, env: {}, verifyBearer: () => undefined });
    await app.close();
  });

  it('refuses to start with no key and says how to configure one', () => {
    expect(() => loadApiKeys([], rate)).toThrow(ApiKeyConfigError);
    expect(() => loadApiKeys([], rate)).toThrow(/BAQL_API_KEYS="name=secret/);
  });

  it('keeps only hashes and finds the matching key', () => {
    const keys = loadApiKeys(
      [
        { name: 'one', key: 'k1-0123456789abcdef' },
        {
          name: 'two',
          sha256: hashKey('k2-0123456789abcdef'),
          rights: { query: false, queries: ['daily'] },
        },
      ],
      rate,
    );
    expect(JSON.stringify(keys)).not.toContain('k1-0123456789abcdef');
    expect(authenticate(keys, 'k1-0123456789abcdef')?.name).toBe('one');
    expect(authenticate(keys, 'k2-0123456789abcdef')?.rights).toEqual({
      query: false,
      queries: ['daily'],
    });
    expect(authenticate(keys, 'k1-0123456789abcdeX')).toBeUndefined();
    expect(() => loadApiKeys([{ name: 'short', key: 'abc' }], rate)).toThrow(/shorter than 16/);
    expect(() =>
      loadApiKeys(
        [
          { name: 'x', key: 'k1-0123456789abcdef' },
          { name: 'x', key: 'k3-0123456789abcdef' },
        ],
        rate,
      ),
    ).toThrow(/twice/);
  });

  it('reads Bearer and X-API-Key', () => {
    expect(presentedKey({ authorization: 'Bearer abc' })).toBe('abc');
    expect(presentedKey({ authorization: 'bearer   abc ' })).toBe('abc');
    expect(presentedKey({ 'x-api-key': 'xyz' })).toBe('xyz');
    expect(presentedKey({ authorization: 'Basic abc' })).toBeUndefined();
    expect(presentedKey({})).toBeUndefined();
  });
});

describe('rate limiter', () => {
  it('allows max per window, then refuses with a retry time, then refills', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    const limit = { max: 3, windowMs: 3000 };
    expect([1, 2, 3].map(() => limiter.take('a', limit).allowed)).toEqual([true, true, true]);
    const refused = limiter.take('a', limit);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, resetSeconds: 1 });
    expect(limiter.take('b', limit).allowed).toBe(true);
    now = 1000;
    expect(limiter.take('a', limit).allowed).toBe(true);
    expect(limiter.take('a', limit).allowed).toBe(false);
  });

  it('never allows more than max + elapsed refill (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 200 }), (gaps) => {
        let now = 0;
        const limiter = new RateLimiter(() => now);
        const limit = { max: 5, windowMs: 1000 };
        let allowed = 0;
        for (const gap of gaps) {
          now += gap;
          if (limiter.take('k', limit).allowed) allowed += 1;
        }
        return allowed <= 5 + Math.floor((now * 5) / 1000);
      }),
    );
  });
});

describe('tracing', () => {
  it('keeps a safe request id, replaces an unsafe one', () => {
    expect(requestIdFrom('abc-123')).toBe('abc-123');
    expect(requestIdFrom('bad id\n')).toMatch(UUID);
    expect(requestIdFrom('x'.repeat(200))).toMatch(UUID);
    expect(requestIdFrom(undefined)).toMatch(UUID);
  });

  it('parses traceparent and derives the upstream transactionId', () => {
    const tp = parseTraceParent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(tp?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(
      parseTraceParent('00-00000000000000000000000000000000-00f067aa0ba902b7-01'),
    ).toBeUndefined();
    expect(parseTraceParent('garbage')).toBeUndefined();
    expect(transactionIdFor('req-1', tp)).toBe('4bf92f35-77b3-4da6-a3ce-929d0e0e4736');
    const uuid = '123e4567-e89b-12d3-a456-426655440000';
    expect(transactionIdFor(uuid, tp)).toBe(uuid);
    expect(transactionIdFor('req-1', undefined)).toMatch(UUID);
  });

  it('numbers later upstream calls of a request, keeping UUIDs unique and greppable', () => {
    const base = '123e4567-e89b-12d3-a456-426655440000';
    expect(nthTransactionId(base, 0)).toBe(base);
    expect(nthTransactionId(base, 1)).toBe('123e4567-e89b-12d3-a456-000000000001');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), (n) => UUID.test(nthTransactionId(base, n))),
    );
    expect(operationOf('http://x/oauth2/v1/token')).toBe('token');
    expect(operationOf('http://x/v1/banking-activities')).toBe('search');
  });
});

describe('error mapping', () => {
  const err = (reason: unknown) => Object.assign(new Error('x'), { reason });

  it('maps bad queries to 400 with their diagnostics', () => {
    const diagnostics = [
      {
        severity: 'error',
        code: 'E1',
        message: 'expected a value',
        span: { start: 1, end: 2 },
        hints: ['h'],
      },
    ];
    expect(toProblem(err({ _tag: 'PlanError', diagnostics }))).toMatchObject({
      status: 400,
      code: 'bad-query',
      errors: diagnostics,
    });
  });

  it('maps upstream quota and spike errors to 429 and 503 with Retry-After', () => {
    const quota = toProblem(
      err({
        _tag: 'HttpError',
        status: 500,
        code: 'CMN_90001',
        message: 'Quota limit violation',
        transactionId: 't',
      }),
    );
    expect(quota).toMatchObject({
      status: 429,
      code: 'upstream-quota',
      upstreamCode: 'CMN_90001',
      transactionId: 't',
    });
    expect(quota.retryAfter).toBeGreaterThan(0);
    const spike = toProblem(
      err({ _tag: 'HttpError', status: 500, code: 'CMN_90003', message: 'x', transactionId: 't' }),
    );
    expect(spike).toMatchObject({ status: 503, code: 'upstream-spike' });
    expect(throttleKind('CMN_90002', 'Spike limit violation', 500)).toBe('spike');
    expect(throttleKind('BAS_99999', 'Internal server error', 500)).toBeUndefined();
  });

  it('never answers 500 for upstream failures, and 500 without detail for the unknown', () => {
    for (const reason of [
      { _tag: 'HttpError', status: 500, code: 'BAS_99999', message: 'boom', transactionId: 't' },
      { _tag: 'HttpError', status: 400, code: 'BAS_10002', message: 'old', transactionId: 't' },
      { _tag: 'AuthError', message: 'no' },
      { _tag: 'DecodeError', what: 'x', paths: [] },
      { _tag: 'NetworkError', message: 'ECONNREFUSED' },
      { _tag: 'Timeout', scope: 'query', ms: 5 },
    ]) {
      const p = toProblem(err(reason));
      expect(p.status, reason._tag).not.toBe(500);
      expect(p.status).toBeGreaterThanOrEqual(400);
    }
    const unknown = toProblem(new Error('secret=hunter2 at /x/y.ts:1'));
    expect(unknown).toEqual({
      type: '/docs#problem-internal',
      title: 'Internal server error',
      status: 500,
      code: 'internal',
    });
    expect(toProblem(new ProblemError('forbidden', 'no'))).toMatchObject({
      status: 403,
      detail: 'no',
    });
  });
});

describe('plan cache', () => {
  it('reuses an outcome within the TTL, recompiles after it, and evicts the oldest', async () => {
    const { PlanCache } = await import('../src/plan-cache.js');
    let now = 0;
    let calls = 0;
    const cache = new PlanCache<number>(2, 1000, () => now);
    const compile = () => ++calls;
    expect(cache.get('a', compile)).toBe(1);
    expect(cache.get('a', compile)).toBe(1);
    now = 1001;
    expect(cache.get('a', compile)).toBe(2);
    cache.get('b', compile);
    cache.get('c', compile);
    expect(cache.get('a', compile)).toBe(5); // evicted by b and c
    const failing = () => {
      calls += 1;
      throw new Error('bad query');
    };
    expect(() => cache.get('bad', failing)).toThrow('bad query');
    expect(() => cache.get('bad', failing)).toThrow('bad query');
    expect(calls).toBe(6);
    expect(PlanCache.key('q', { a: 1 })).not.toBe(PlanCache.key('q', { a: 2 }));
  });
});

describe('saved-query files', () => {
  const headerLine = fc.oneof(
    fc.constantFrom(
      '# name: by-user',
      '# name: not a valid name',
      '# description: Logins of one user',
      '# owner: support',
      '# tags: fraud, login',
      '# param user: string required -- the login id',
      '# param days: duration = 1d',
      '# param days: duration = soon',
      '# param n: number = 5',
      '# param n: number = many',
      '# param types: list = login, logout',
      '# param user: string',
      '# param flag: boolean',
      '# param: user (string, required) the login id',
      '# param: days (duration, default 1d)',
      '# nme: typo',
      '#',
      '',
    ),
    fc.string({ maxLength: 40 }).map((t) => `# ${t}`),
  );
  const file = fc
    .tuple(fc.array(headerLine, { maxLength: 8 }), fc.constantFrom('type:login since 1d', ''))
    .map(([lines, query]) => [...lines, query].join('\n'));

  it('reads a file exactly as parseSavedQuery does (header errors become problems)', () => {
    fc.assert(
      fc.property(file, (text) => {
        const shared = parseSavedQuery(text);
        const entry = parseSavedFile(text, 'from-file-name');
        expect(entry.params).toEqual(shared.meta.params);
        expect(entry.tags).toEqual(shared.meta.tags);
        expect(entry.query).toBe(shared.query.trim());
        expect(entry.problems).toEqual(shared.diagnostics.filter((d) => d.severity === 'error'));
        expect(entry.name).toBe(
          shared.meta.name !== undefined && SAVED_NAME.test(shared.meta.name)
            ? shared.meta.name
            : 'from-file-name',
        );
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the parameters of a canonical header (formatHeader of @baql/query) without problems', () => {
    const param: fc.Arbitrary<ParamSpec> = fc.record({
      name: fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/),
      type: fc.constantFrom('string' as const, 'list' as const),
      required: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.uniqueArray(param, { selector: (p) => p.name, maxLength: 4 }), (params) => {
        const text = `${formatHeader({ name: 'q', tags: [], params })}type:login since 1d\n`;
        const entry = parseSavedFile(text, 'fallback');
        expect(entry.problems).toEqual([]);
        expect(entry.params).toEqual(params);
        expect(entry.query).toBe('type:login since 1d');
      }),
      { numRuns: 100 },
    );
  });

  it('gives a legacy-format header a diagnostic with its line and column, never a silent read', () => {
    const entry = parseSavedFile(
      '# name: old\n# description: old spelling\n# param: user (string, required) the login id\ntype:login user:$user since 1d\n',
      'old-file',
    );
    expect(entry.name).toBe('old');
    expect(entry.params).toEqual([]);
    expect(entry.problems).toHaveLength(1);
    expect(entry.problems[0]).toMatchObject({
      severity: 'error',
      code: 'BAQL_HEADER',
      span: { start: { line: 3, column: 1 } },
    });
    expect(describeProblems(entry.problems)).toMatch(
      /^line 3, column 1: a parameter is declared `# param <name>: <type>/,
    );
  });
});

describe('route labels and raw answers', () => {
  it('spells Fastify route templates as the documented routes', () => {
    expect(routeLabel('/v1/query')).toBe('/v1/query');
    expect(routeLabel('/v1/query::validate')).toBe('/v1/query:validate');
    expect(routeLabel('/v1/queries/:name(^[A-Za-z0-9_.-]+)::run')).toBe('/v1/queries/{name}:run');
    expect(routeLabel('/a/:id/b/:other')).toBe('/a/{id}/b/{other}');
    expect(routeLabel('/a/:x(^\\d+)-:y(^[a-z]+)')).toBe('/a/{x}-{y}');
  });

  it('maps HTTP parser errors to problems and writes complete answers', () => {
    expect(rawProblemOf({ code: 'HPE_HEADER_OVERFLOW' })).toMatchObject({
      status: 431,
      code: 'headers-too-large',
    });
    expect(rawProblemOf({ code: 'ERR_HTTP_REQUEST_TIMEOUT' })).toMatchObject({
      status: 408,
      code: 'request-timeout',
    });
    expect(rawProblemOf({ code: 'HPE_INVALID_METHOD' })).toMatchObject({
      status: 400,
      code: 'invalid-request',
      detail: expect.stringContaining('HPE_INVALID_METHOD') as unknown,
    });
    expect(rawProblemOf({})).toMatchObject({ status: 400, code: 'invalid-request' });
    const body = { ...rawProblemOf({ code: 'HPE_INVALID_METHOD' }), requestId: 'r-1' };
    const answer = rawProblemAnswer(body, 'r-1');
    const [head = '', json = ''] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(head).toContain('content-type: application/problem+json');
    expect(head).toContain(`content-length: ${Buffer.byteLength(json)}`);
    expect(head).toContain('x-request-id: r-1');
    expect(head).toContain('x-content-type-options: nosniff');
    expect(JSON.parse(json)).toEqual(body);
  });
});

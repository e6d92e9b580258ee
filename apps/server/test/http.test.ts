import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, post, problemOf, rawRequest, savedDir, startStack, type Stack } from './harness.js';

const GOOD = 'type:login since 1d';
const BAD = 'type:login AND (';

describe('HTTP service over real HTTP against the sandbox', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({
      queriesDir: savedDir({
        'logins.baql':
          '# name: logins\n# description: Logins of the last day\ntype:login since 1d\n',
        'other.baql': 'type:transfer since 1d\n',
        'shared-format.baql':
          '# name: by-user\n# param user: string required -- the login id\n# param days: duration = 1d\ntype:login user:$user since $days\n',
        'nested/user-logins.baql':
          '# name: user-logins\n# param user: string required -- the login id\n# param days: duration = 1d\ntype:login user:$user since $days\n',
        'nested/by-type.baql':
          '# name: by-type\n# param types: list required -- event types\n# param min: number = 0\ntype:$types since 1d\n',
        // The retired CLI spelling: `baql check` rejects it, so the server does too.
        'legacy.baql':
          '# name: legacy-logins\n# param: user (string, required) the login id\n# param: days (duration, default 1d)\ntype:login user:$user since $days\n',
      }),
      limits: { maxWindowDays: 30, maxRequests: 4, maxRows: 5000 },
      extra: {
        // Bearer tokens of an identity provider, beside the API keys.
        verifyBearer: async (token: string) =>
          token === 'idp-token-for-dashboard'
            ? { name: 'dashboard', rights: { queries: ['logins'] } }
            : undefined,
      },
    });
  }, 60_000);
  afterAll(async () => s?.close());

  describe('authentication and rights', () => {
    it('refuses a request without a key with 401 problem+json and WWW-Authenticate', async () => {
      const res = await post(s.base, '/v1/query', { query: GOOD }, null);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const p = await problemOf(res);
      expect(p).toMatchObject({ status: 401, code: 'unauthenticated', instance: '/v1/query' });
      expect(p['requestId']).toBe(res.headers.get('x-request-id'));
    });

    it('refuses a wrong key, and never echoes it', async () => {
      const res = await post(s.base, '/v1/query', { query: GOOD }, 'not-a-real-key-123456');
      expect(res.status).toBe(401);
      const text = JSON.stringify(await problemOf(res));
      expect(text).not.toContain('not-a-real-key-123456');
    });

    it('accepts X-API-Key as well as Bearer', async () => {
      const res = await fetch(`${s.base}/v1/query:validate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': KEYS.admin },
        body: JSON.stringify({ query: GOOD }),
      });
      expect(res.status).toBe(200);
    });

    it('accepts a bearer token its verifier vouches for, with that caller rights', async () => {
      const list = await fetch(`${s.base}/v1/queries`, {
        headers: { authorization: 'Bearer idp-token-for-dashboard' },
      });
      expect(list.status).toBe(200);
      expect(
        ((await list.json()) as { queries: { name: string }[] }).queries.map((q) => q.name),
      ).toEqual(['logins']);
      expect(
        (await post(s.base, '/v1/query', { query: GOOD }, 'idp-token-for-dashboard')).status,
      ).toBe(403);
      expect((await post(s.base, '/v1/query', { query: GOOD }, 'idp-token-forged')).status).toBe(
        401,
      );
      // A token is only a bearer credential, never an X-API-Key.
      const asKey = await fetch(`${s.base}/v1/queries`, {
        headers: { 'x-api-key': 'idp-token-for-dashboard' },
      });
      expect(asKey.status).toBe(401);
    });

    it('refuses free-form querying to a saved-queries-only key with 403', async () => {
      for (const path of ['/v1/query', '/v1/query:compile', '/v1/query:validate']) {
        const res = await post(s.base, path, { query: GOOD }, KEYS.saved);
        expect(res.status, path).toBe(403);
        expect(await problemOf(res)).toMatchObject({ code: 'forbidden' });
      }
    });

    it('rate-limits per key with 429, Retry-After and RateLimit headers', async () => {
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 5; i += 1) {
        last = await post(s.base, '/v1/query:validate', { query: GOOD }, KEYS.tight);
        statuses.push(last.status);
        if (last.status === 429) break;
        await last.arrayBuffer();
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(last?.headers.get('ratelimit-remaining')).toBe('0');
      expect(await problemOf(last as Response)).toMatchObject({
        code: 'rate-limited',
        status: 429,
      });
      // Other keys are not affected.
      expect((await post(s.base, '/v1/query:validate', { query: GOOD })).status).toBe(200);
    });
  });

  describe('request validation and limits', () => {
    it('answers a body over the limit with 413', async () => {
      const res = await post(s.base, '/v1/query', { query: 'x'.repeat(70 * 1024) });
      expect(res.status).toBe(413);
      expect(await problemOf(res)).toMatchObject({ code: 'body-too-large' });
    });

    it('answers malformed JSON with 400 malformed-body', async () => {
      const res = await post(s.base, '/v1/query', '{"query": ');
      expect(res.status).toBe(400);
      expect(await problemOf(res)).toMatchObject({ code: 'malformed-body' });
    });

    it('answers a non-JSON content type with 415', async () => {
      const res = await fetch(`${s.base}/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', authorization: `Bearer ${KEYS.admin}` },
        body: GOOD,
      });
      expect(res.status).toBe(415);
      expect(await problemOf(res)).toMatchObject({ code: 'unsupported-media-type' });
    });

    it('answers schema violations with 400 and the offending path', async () => {
      const res = await post(s.base, '/v1/query', { query: GOOD, limit: 'ten', extra: 1 });
      expect(res.status).toBe(400);
      const p = await problemOf(res);
      expect(p).toMatchObject({ code: 'invalid-request' });
      expect(Array.isArray(p['errors'])).toBe(true);
    });

    it('refuses a query of only blanks or comments with the same 400 as an empty one', async () => {
      const before = s.upstream.length;
      for (const path of ['/v1/query', '/v1/query:validate', '/v1/query:compile']) {
        const empty = await problemOf(await post(s.base, path, { query: '' }));
        expect(empty).toMatchObject({ status: 400, code: 'invalid-request' });
        for (const query of ['   ', '# only a comment', '\n  # one\n\t# two\n']) {
          const res = await post(s.base, path, { query });
          expect(res.status, `${path} ${JSON.stringify(query)}`).toBe(400);
          const p = await problemOf(res);
          expect(p).toMatchObject({
            status: 400,
            code: 'invalid-request',
            errors: [{ location: 'body', path: '/query' }],
          });
          expect((p['errors'] as { path: string }[])[0]?.path).toBe(
            (empty['errors'] as { path: string }[])[0]?.path,
          );
        }
      }
      // A comment beside a query is still a query.
      expect((await post(s.base, '/v1/query:validate', { query: `# note\n${GOOD}` })).status).toBe(
        200,
      );
      // Nothing ran upstream.
      expect(s.upstream.length).toBe(before);
    });

    it('refuses a limit above maxRows, a window above maxWindowDays and too much fan-out with 422', async () => {
      const rows = await problemOf(await post(s.base, '/v1/query', { query: GOOD, limit: 5001 }));
      expect(rows).toMatchObject({ status: 422, code: 'limit-exceeded', limit: 'maxRows' });
      const window = await problemOf(
        await post(s.base, '/v1/query', { query: 'type:login since 60d' }),
      );
      expect(window).toMatchObject({ status: 422, code: 'limit-exceeded', limit: 'maxWindowDays' });
    });

    it('answers unknown routes with a 404 problem', async () => {
      const res = await fetch(`${s.base}/v2/nothing`);
      expect(res.status).toBe(404);
      expect(await problemOf(res)).toMatchObject({ code: 'not-found' });
    });
  });

  describe('queries', () => {
    it('runs a query as JSON with rows, summary and window, echoing the request id', async () => {
      const res = await post(s.base, '/v1/query', { query: GOOD, limit: 25 }, KEYS.admin, {
        'x-request-id': 'test-req-1',
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toBe('test-req-1');
      const body = (await res.json()) as {
        rows: Record<string, string>[];
        summary: { rows: number; requests: number };
        window: { start: string; end: string };
      };
      expect(body.rows.length).toBeGreaterThan(0);
      expect(body.rows.length).toBeLessThanOrEqual(25);
      for (const row of body.rows) expect(row['eventId']).toBe('login');
      expect(body.summary.rows).toBe(body.rows.length);
      expect(Date.parse(body.window.end) - Date.parse(body.window.start)).toBeGreaterThan(0);
    });

    it('propagates traceparent to the upstream transactionId and back', async () => {
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const before = s.transactionIds.length;
      const res = await post(s.base, '/v1/query', { query: GOOD, limit: 5 }, KEYS.admin, {
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      });
      expect(res.status).toBe(200);
      const tx = '4bf92f35-77b3-4da6-a3ce-929d0e0e4736';
      expect(res.headers.get('x-transaction-id')).toBe(tx);
      expect(res.headers.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      const sent = s.transactionIds.slice(before);
      expect(sent.length).toBeGreaterThan(0);
      for (const id of sent) expect(id.slice(0, 24)).toBe(tx.slice(0, 24));
      // The sandbox's own request log saw the caller's trace id as the transactionId.
      expect(s.sandboxLog.some((line) => line.includes(`tx=${tx}`))).toBe(true);
    });

    it('answers a bad query with 400 problem+json carrying the diagnostics with spans', async () => {
      const res = await post(s.base, '/v1/query', { query: BAD });
      expect(res.status).toBe(400);
      const p = await problemOf(res);
      expect(p).toMatchObject({ code: 'bad-query', status: 400 });
      const errors = p['errors'] as { message: string; span?: unknown }[];
      expect(errors.length).toBeGreaterThan(0);
      expect(errors[0]?.span).toBeDefined();
      expect(JSON.stringify(p)).not.toMatch(/at .*\.ts:\d+/);
    });

    it('validates without running: 200 with diagnostics for good and bad queries', async () => {
      const before = s.upstream.length;
      const good = (await (await post(s.base, '/v1/query:validate', { query: GOOD })).json()) as {
        valid: boolean;
      };
      expect(good.valid).toBe(true);
      const bad = (await (await post(s.base, '/v1/query:validate', { query: BAD })).json()) as {
        valid: boolean;
        diagnostics: unknown[];
      };
      expect(bad.valid).toBe(false);
      expect(bad.diagnostics.length).toBeGreaterThan(0);
      expect(s.upstream.length).toBe(before);
    });

    it('compiles to the exact upstream requests', async () => {
      const res = await post(s.base, '/v1/query:compile', { query: GOOD });
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        requests: { startTime: string; endTime: string; eventIds?: string[] }[];
        window: unknown;
        explain?: string;
      };
      expect(body.requests.length).toBeGreaterThan(0);
      expect(body.requests[0]?.eventIds).toContain('login');
      expect(typeof body.requests[0]?.startTime).toBe('string');
    });

    it('completes at an offset', async () => {
      const res = await post(s.base, '/v1/query:complete', { text: 'typ', offset: 3 });
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        items: unknown[];
        replace: { start: number; end: number };
      };
      expect(Array.isArray(body.items)).toBe(true);
      expect(body.replace.end).toBeLessThanOrEqual(3);
      const past = await post(s.base, '/v1/query:complete', { text: 'typ', offset: 9 });
      expect(past.status).toBe(400);
    });
  });

  describe('saved queries', () => {
    it('lists the saved queries a key may run, with the parameters @baql/query reads', async () => {
      const all = (await (
        await fetch(`${s.base}/v1/queries`, { headers: { authorization: `Bearer ${KEYS.admin}` } })
      ).json()) as {
        queries: { name: string; params: unknown[]; problems?: unknown[] }[];
      };
      expect(all.queries.map((q) => q.name)).toEqual([
        'by-type',
        'by-user',
        'legacy-logins',
        'logins',
        'other',
        'user-logins',
      ]);
      const userParams = [
        { name: 'user', type: 'string', required: true, description: 'the login id' },
        { name: 'days', type: 'duration', required: false, default: '1d' },
      ];
      expect(all.queries.find((q) => q.name === 'by-user')?.params).toEqual(userParams);
      expect(all.queries.find((q) => q.name === 'user-logins')?.params).toEqual(userParams);
      expect(all.queries.find((q) => q.name === 'by-type')?.params).toEqual([
        { name: 'types', type: 'list', required: true, description: 'event types' },
        { name: 'min', type: 'number', required: false, default: '0' },
      ]);
      expect(all.queries.filter((q) => q.problems !== undefined).map((q) => q.name)).toEqual([
        'legacy-logins',
      ]);
      const limited = (await (
        await fetch(`${s.base}/v1/queries`, { headers: { authorization: `Bearer ${KEYS.saved}` } })
      ).json()) as {
        queries: { name: string }[];
      };
      expect(limited.queries.map((q) => q.name)).toEqual(['logins']);
    });

    it('reports a legacy-format file with the parser diagnostics, and keeps serving the others', async () => {
      const listed = (await (
        await fetch(`${s.base}/v1/queries`, { headers: { authorization: `Bearer ${KEYS.admin}` } })
      ).json()) as { queries: { name: string; params: unknown[]; problems?: unknown[] }[] };
      const legacy = listed.queries.find((q) => q.name === 'legacy-logins');
      expect(legacy?.params).toEqual([]);
      const header = {
        severity: 'error',
        code: 'BAQL_HEADER',
        message: expect.stringContaining('# param <name>: <type>') as unknown,
      };
      expect(legacy?.problems).toMatchObject([
        { ...header, span: { start: { line: 2, column: 1 } } },
        { ...header, span: { start: { line: 3, column: 1 } } },
      ]);
      expect(
        s.logs.some(
          (l) =>
            l['level'] === 40 &&
            l['savedQuery'] === 'legacy-logins' &&
            /line 2, column 1/.test(String(l['msg'])),
        ),
      ).toBe(true);

      const run = await post(s.base, '/v1/queries/legacy-logins:run', { params: { user: 'u' } });
      expect(run.status).toBe(400);
      const p = await problemOf(run);
      expect(p).toMatchObject({
        code: 'bad-query',
        errors: [
          { ...header, span: { start: { line: 2, column: 1 } } },
          { ...header, span: { start: { line: 3, column: 1 } } },
        ],
      });
      expect(p['detail']).toMatch(
        /^The saved query "legacy-logins" cannot be read: line 2, column 1: /,
      );
      expect((await post(s.base, '/v1/queries/logins:run', { limit: 1 })).status).toBe(200);
    });

    it('runs an allowed saved query, refuses others, 404s unknown ones', async () => {
      const ok = await post(s.base, '/v1/queries/logins:run', { limit: 3 }, KEYS.saved);
      expect(ok.status).toBe(200);
      const body = (await ok.json()) as { rows: unknown[] };
      expect(body.rows.length).toBeGreaterThan(0);
      expect((await post(s.base, '/v1/queries/other:run', {}, KEYS.saved)).status).toBe(403);
      const missing = await post(s.base, '/v1/queries/nope:run', {});
      expect(missing.status).toBe(404);
      expect(await problemOf(missing)).toMatchObject({ code: 'not-found' });
      const unknownParam = await post(s.base, '/v1/queries/logins:run', { params: { who: 'x' } });
      expect(unknownParam.status).toBe(400);
      expect(await problemOf(unknownParam)).toMatchObject({
        code: 'unknown-parameter',
        errors: [{ parameter: 'who', message: expect.stringContaining('not declared') as unknown }],
      });
    });

    it('runs a saved query without parameters when the request has no body at all', async () => {
      const res = await fetch(`${s.base}/v1/queries/logins:run`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEYS.admin}` },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { rows: Record<string, string>[]; summary: unknown };
      expect(body.rows.length).toBeGreaterThan(0);
      for (const row of body.rows) expect(row['eventId']).toBe('login');
      // A required parameter is still required.
      const missing = await fetch(`${s.base}/v1/queries/user-logins:run`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEYS.admin}` },
      });
      expect(await problemOf(missing)).toMatchObject({
        code: 'unknown-parameter',
        errors: [{ parameter: 'user' }],
      });
    });

    it('binds saved query parameters as bindParams does: required, defaults and types', async () => {
      const missing = await problemOf(await post(s.base, '/v1/queries/user-logins:run', {}));
      expect(missing).toMatchObject({
        status: 400,
        errors: [{ parameter: 'user', message: expect.stringContaining('is required') as unknown }],
      });
      const badType = await problemOf(
        await post(s.base, '/v1/queries/user-logins:run', { params: { user: 'u', days: 'soon' } }),
      );
      expect(badType).toMatchObject({ status: 400, errors: [{ parameter: 'days' }] });
      const badNumber = await problemOf(
        await post(s.base, '/v1/queries/by-type:run', {
          params: { types: ['login'], min: 'lots' },
        }),
      );
      expect(badNumber).toMatchObject({ status: 400, errors: [{ parameter: 'min' }] });
      const compiled = await post(s.base, '/v1/queries/user-logins:run', {
        params: { user: 'nobody-at-all' },
        limit: 5,
      });
      expect(compiled.status).toBe(200);
      expect(((await compiled.json()) as { rows: unknown[] }).rows).toEqual([]);
      // A list parameter expands to "any of": `type:$types` is `type:(login OR logout)`.
      for (const types of [['login', 'logout'], 'login, logout']) {
        const listed = await post(s.base, '/v1/queries/by-type:run', {
          params: { types, min: 3 },
          limit: 200,
        });
        expect(listed.status).toBe(200);
        const rows = ((await listed.json()) as { rows: Record<string, string>[] }).rows;
        const seen = new Set(rows.map((r) => r['eventId']));
        expect(seen).toEqual(new Set(['login', 'logout']));
      }
    });
  });

  describe('HTTP protocol', () => {
    const SECURITY = {
      'content-security-policy': expect.stringContaining("default-src 'none'") as unknown,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'cache-control': 'no-store',
    };

    it('answers what the HTTP parser refuses with problem+json and the security headers', async () => {
      const auth = `Authorization: Bearer ${KEYS.admin}\r\n`;
      const cases: [string, string, number, string][] = [
        [
          'a 20,000-character URL',
          `GET /v1/queries?x=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
          431,
          'headers-too-large',
        ],
        [
          'a 20 KB header',
          `GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
          431,
          'headers-too-large',
        ],
        ['a garbage request line', 'GARBAGE\r\n\r\n', 400, 'invalid-request'],
        [
          'Content-Length: abc',
          'POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
          400,
          'invalid-request',
        ],
        [
          'a bad chunked body',
          `POST /v1/query HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n`,
          400,
          'invalid-request',
        ],
      ];
      for (const [what, bytes, status, code] of cases) {
        const res = await rawRequest(s.base, bytes);
        expect(res.status, what).toBe(status);
        expect(res.headers, what).toMatchObject({
          'content-type': 'application/problem+json',
          connection: 'close',
          ...SECURITY,
        });
        const p = JSON.parse(res.body) as Record<string, unknown>;
        expect(p, what).toMatchObject({ type: `/docs#problem-${code}`, status, code });
        expect(typeof p['title'], what).toBe('string');
        expect(p['requestId'], what).toBe(res.headers['x-request-id']);
      }
      // The request the parser failed in the middle of gets its completion line with the status sent.
      await new Promise((r) => setTimeout(r, 100));
      expect(
        s.logs.some(
          (l) =>
            l['msg'] === 'request completed' &&
            l['route'] === '/v1/query' &&
            l['status'] === 400 &&
            l['caller'] === 'admin' &&
            l['method'] === 'POST',
        ),
      ).toBe(true);
      expect((await fetch(`${s.base}/livez`)).status).toBe(200);
    });

    it('answers another method on a known path with 405 and Allow, an unknown path with 404', async () => {
      const cases: [string, string, string][] = [
        ['GET', '/v1/query', 'POST'],
        ['PUT', '/v1/query', 'POST'],
        ['OPTIONS', '/v1/query', 'POST'],
        ['GET', '/v1/query:compile', 'POST'],
        ['DELETE', '/v1/queries', 'GET, HEAD'],
        ['GET', '/v1/queries/logins:run', 'POST'],
        ['POST', '/livez', 'GET, HEAD'],
        ['POST', '/metrics', 'GET, HEAD'],
      ];
      for (const [method, path, allow] of cases) {
        const res = await fetch(`${s.base}${path}`, {
          method,
          headers: { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json' },
          ...(method === 'PUT' ? { body: '{"not": "read"' } : {}),
        });
        expect(res.status, `${method} ${path}`).toBe(405);
        expect(res.headers.get('allow'), `${method} ${path}`).toBe(allow);
        expect(res.headers.get('x-frame-options')).toBe('DENY');
        expect(await problemOf(res)).toMatchObject({
          status: 405,
          code: 'method-not-allowed',
          instance: path,
        });
      }
      for (const [method, path] of [
        ['GET', '/v2/nothing'],
        ['POST', '/v1/querie'],
        ['GET', '/v1/queries/bad%20name:run'],
      ] as const) {
        const res = await fetch(`${s.base}${path}`, { method });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.headers.get('allow')).toBeNull();
        expect(await problemOf(res)).toMatchObject({ code: 'not-found' });
      }
    });

    it('negotiates the answer: q=0 refuses NDJSON, nothing acceptable is a 406 problem', async () => {
      const query = { query: GOOD, limit: 2 };
      const type = async (accept: string) => {
        const res = await post(s.base, '/v1/query', query, KEYS.admin, { accept });
        await res.arrayBuffer();
        return `${res.status} ${res.headers.get('content-type')?.split(';')[0]}`;
      };
      expect(await type('application/x-ndjson;q=0, application/json')).toBe('200 application/json');
      expect(await type('application/x-ndjson')).toBe('200 application/x-ndjson');
      expect(await type('application/json;q=0.5, application/x-ndjson')).toBe(
        '200 application/x-ndjson',
      );
      expect(await type('*/*')).toBe('200 application/json');
      expect(await type('text/html, application/*;q=0.8')).toBe('200 application/json');
      for (const [path, body] of [
        ['/v1/query', query],
        ['/v1/query:validate', { query: GOOD }],
        ['/v1/queries/logins:run', {}],
      ] as const) {
        for (const accept of ['application/xml', 'application/json;q=0']) {
          const res = await post(s.base, path, body, KEYS.admin, { accept });
          expect(res.status, `${path} ${accept}`).toBe(406);
          expect(await problemOf(res)).toMatchObject({ code: 'not-acceptable', status: 406 });
        }
      }
      // The body's `format` wins over Accept.
      const res = await post(s.base, '/v1/query', { ...query, format: 'ndjson' }, KEYS.admin, {
        accept: 'application/json',
      });
      expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
      await res.arrayBuffer();
    });

    it('labels metrics and logs with the documented routes', async () => {
      await (await post(s.base, '/v1/query:validate', { query: GOOD })).arrayBuffer();
      await (await post(s.base, '/v1/queries/logins:run', { limit: 1 })).arrayBuffer();
      const text = await (await fetch(`${s.base}/metrics`)).text();
      expect(text).toMatch(
        /baql_http_requests_total\{method="POST",route="\/v1\/query:validate",status="200"\} \d+/,
      );
      expect(text).toMatch(
        /baql_http_requests_total\{method="POST",route="\/v1\/queries\/\{name\}:run",status="200"\} \d+/,
      );
      expect(text).not.toContain('::');
      expect(text).not.toContain('(^');
      const routes = new Set(s.logs.map((l) => l['route']).filter((r) => r !== undefined));
      expect(routes).toContain('/v1/query:validate');
      expect(routes).toContain('/v1/queries/{name}:run');
      for (const route of routes) expect(String(route)).not.toMatch(/::|\(\^/);
    });
  });

  describe('operations', () => {
    it('answers livez and readyz', async () => {
      expect(await (await fetch(`${s.base}/livez`)).json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${s.base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ok', checks: { token: 'ok', upstream: 'ok' } });
    });

    it('sets security headers on every answer', async () => {
      for (const res of [
        await fetch(`${s.base}/livez`),
        await post(s.base, '/v1/query', {}, null),
      ]) {
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
        expect(res.headers.get('x-frame-options')).toBe('DENY');
        expect(res.headers.get('cache-control')).toBe('no-store');
      }
    });

    it('exposes parseable Prometheus metrics with low-cardinality labels', async () => {
      const res = await fetch(`${s.base}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await res.text();
      const sample =
        /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? -?[0-9.eE+-]+|NaN|[+-]Inf$/;
      for (const line of text.split('\n')) {
        if (line === '' || line.startsWith('#')) continue;
        expect(line, line).toMatch(sample);
      }
      expect(text).toMatch(
        /baql_http_requests_total\{method="POST",route="\/v1\/query",status="200"\} \d+/,
      );
      expect(text).toMatch(/baql_upstream_requests_total\{operation="search",status="200"\} \d+/);
      expect(text).toMatch(/baql_token_refreshes_total\{outcome="ok"\} \d+/);
      expect(text).toContain('baql_queries_in_flight');
      expect(text).not.toContain('test-req-1');
      expect(text).not.toContain(KEYS.admin);
    });

    it('logs request id, caller, route, status and duration, and never a key', () => {
      const lines = s.logs.filter((l) => l['msg'] === 'request completed');
      const line = lines.find((l) => l['reqId'] === 'test-req-1');
      expect(line).toMatchObject({ caller: 'admin', route: '/v1/query', status: 200 });
      expect(typeof line?.['durationMs']).toBe('number');
      const all = JSON.stringify(s.logs);
      for (const key of Object.values(KEYS)) expect(all).not.toContain(key);
      // No query results in the logs either.
      expect(all).not.toContain('ReqCtx_loginId');
      expect(all).not.toContain('"rows"');
    });
  });
});

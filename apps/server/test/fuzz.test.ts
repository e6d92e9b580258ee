import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, startStack, type Stack } from './harness.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const heapMb = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};

const PATHS = [
  '/v1/query',
  '/v1/query:validate',
  '/v1/query:compile',
  '/v1/query:complete',
  '/v1/queries/x:run',
  '/v1/queries',
];

/** Query-ish text: real tokens of the language glued in random orders, plus random noise. */
const tokens = fc.constantFrom(
  'type:login',
  'type:',
  'user:',
  '$user',
  'segment:retail',
  'kind:*',
  'AND',
  'OR',
  'NOT',
  '-',
  '!',
  '(',
  ')',
  '[',
  ']',
  ',',
  'since',
  '7d',
  '1d',
  '400d',
  'between',
  '2024-01-01',
  'and',
  'now-1d/d',
  '@d',
  '"quoted value"',
  '"unterminated',
  '|',
  'count',
  'by',
  'type',
  'top',
  '10',
  'fields',
  'sort',
  'time',
  'asc',
  '*',
  '?',
  '..',
  ':',
  '\u0000',
  '\u202e',
  '💥',
  '\\',
  '#',
);
const queryText = fc.oneof(
  fc.array(tokens, { maxLength: 25 }).map((t) => t.join(' ')),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
);

type Req = { path: string; method: 'GET' | 'POST'; contentType: string; body: string | undefined };

const request: fc.Arbitrary<Req> = fc.oneof(
  // Well-formed JSON of random shapes.
  fc.record({
    path: fc.constantFrom(...PATHS),
    method: fc.constant<'POST'>('POST'),
    contentType: fc.constant('application/json'),
    body: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  }),
  // Right shape, random content.
  fc.record({
    path: fc.constantFrom('/v1/query:validate', '/v1/query:compile', '/v1/query'),
    method: fc.constant<'POST'>('POST'),
    contentType: fc.constant('application/json'),
    body: fc
      .record(
        {
          query: queryText,
          params: fc.dictionary(
            fc.string({ maxLength: 10 }),
            fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean()),
          ),
          limit: fc.oneof(fc.integer({ min: -5, max: 3 }), fc.double(), fc.constant(1)),
          format: fc.constantFrom('json', 'ndjson', 'xml'),
        },
        { requiredKeys: ['query'] },
      )
      .map((v) => JSON.stringify(v)),
  }),
  fc.record({
    path: fc.constant('/v1/query:complete'),
    method: fc.constant<'POST'>('POST'),
    contentType: fc.constant('application/json'),
    body: fc
      .record({ text: queryText, offset: fc.integer({ min: -3, max: 250 }) })
      .map((v) => JSON.stringify(v)),
  }),
  fc.record({
    path: fc.constantFrom(
      '/v1/queries/a:run',
      '/v1/queries/..%2F..%2Fetc%2Fpasswd:run',
      '/v1/queries/%00:run',
      '/v1/queries/' + 'x'.repeat(300) + ':run',
    ),
    method: fc.constant<'POST'>('POST'),
    contentType: fc.constant('application/json'),
    body: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ params: v })),
  }),
  // Malformed bodies, odd content types, odd methods.
  fc.record({
    path: fc.constantFrom(...PATHS, '/livez', '/nope', '/v1/query%', '/v1/../openapi.json'),
    method: fc.constantFrom<'GET' | 'POST'>('GET', 'POST'),
    contentType: fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
      '',
    ),
    body: fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.constant('{"query": "type:login", "__proto__": {"polluted": true}}'),
      fc.constant('{"constructor": {"prototype": {"x": 1}}, "query": "a"}'),
      fc.constant('['.repeat(2000)),
      fc.constant(undefined),
    ),
  }),
);

describe('fuzz: thousands of random and malformed requests', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ limits: { defaultRows: 5, maxRows: 50, timeoutMs: 5000 } });
  }, 60_000);
  afterAll(async () => s?.close());

  it('never answers 500, never crashes, and keeps memory stable', async () => {
    const statuses = new Map<number, number>();
    const send = async (r: Req) => {
      const res = await fetch(`${s.base}${r.path}`, {
        method: r.method,
        headers: {
          authorization: `Bearer ${KEYS.admin}`,
          ...(r.contentType === '' ? {} : { 'content-type': r.contentType }),
        },
        ...(r.method === 'POST' && r.body !== undefined ? { body: r.body } : {}),
      });
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500 && res.status !== 502 && res.status !== 503 && res.status !== 504) {
        throw new Error(
          `${r.method} ${r.path} ${JSON.stringify(r.body)?.slice(0, 300)} → ${res.status} ${text.slice(0, 300)}`,
        );
      }
      const type = res.headers.get('content-type') ?? '';
      if (res.status >= 400) {
        expect(type).toMatch(/^application\/problem\+json/);
        const p = JSON.parse(text) as { status: number; code: string };
        expect(p.status).toBe(res.status);
        expect(text).not.toMatch(/\bat [^ ]+\.(ts|js):\d+/);
      }
    };
    const run = (numRuns: number, seed: number) =>
      fc.assert(fc.asyncProperty(request, send), { numRuns, seed, endOnFailure: true });

    await run(500, 1);
    const before = heapMb();
    await run(1000, 2);
    await run(500, 3);
    const after = heapMb();
    expect(after - before, `heap ${before.toFixed(1)} → ${after.toFixed(1)} MB`).toBeLessThan(25);
    // The server is still healthy and answers real work.
    expect((await fetch(`${s.base}/livez`)).status).toBe(200);
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(2000);
    expect(statuses.has(500)).toBe(false);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(100);
    console.log(
      `fuzz statuses ${JSON.stringify(Object.fromEntries(statuses))}; heap ${before.toFixed(1)} → ${after.toFixed(1)} MB`,
    );
    expect(statuses.get(200) ?? 0).toBeGreaterThan(10);
  }, 180_000);
});

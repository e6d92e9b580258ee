import { validate, compileErrors } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, PROBLEM_KINDS } from '../src/index.js';
import type { FastifyInstance } from 'fastify';

// The OpenAPI document is generated from the route schemas alone; no query ever runs here, so the
// client is an object that would fail loudly if anything called it.
const unusedClient = new Proxy(
  {},
  {
    get: () => () => {
      throw new Error('not used');
    },
  },
);

describe('OpenAPI document and docs page', () => {
  let app: FastifyInstance;
  let base: string;
  beforeAll(async () => {
    app = createServer({
      client: unusedClient as never,
      apiKeys: [{ name: 'docs', key: 'docs-key-0123456789' }],
      env: {},
    });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => app.close());

  it('serves a valid OpenAPI 3.1 document generated from the route schemas', async () => {
    const res = await fetch(`${base}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { operationId?: string; responses: Record<string, unknown> }>
      >;
    };
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
    const ops = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
    expect(ops).toEqual(
      expect.arrayContaining([
        'runQuery',
        'validateQuery',
        'compileQuery',
        'completeQuery',
        'listSavedQueries',
        'runSavedQuery',
        'livez',
        'readyz',
      ]),
    );
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/query',
        '/v1/query:validate',
        '/v1/query:compile',
        '/v1/query:complete',
        '/v1/queries',
        '/v1/queries/{name}:run',
      ]),
    );
    const run = doc.paths['/v1/query']?.['post'];
    expect(Object.keys(run?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '4XX', '5XX']),
    );
    expect(JSON.stringify(run?.responses['200'])).toContain('application/x-ndjson');
    // The body of a saved-query run is optional; the free-form query's is not.
    const body = (path: string) =>
      (doc.paths[path]?.['post'] as { requestBody?: { required?: boolean } } | undefined)
        ?.requestBody;
    expect(body('/v1/queries/{name}:run')?.required).toBe(false);
    expect(body('/v1/query')?.required).toBe(true);
    // The refusing (405) routes stay out of the document.
    expect(Object.keys(doc.paths['/v1/query'] ?? {})).toEqual(['post']);
    expect(Object.keys(doc.paths['/livez'] ?? {})).toEqual(['get']);
  });

  it('serves an HTML docs page that documents every problem type', async () => {
    const res = await fetch(`${base}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    for (const slug of Object.keys(PROBLEM_KINDS)) expect(html).toContain(`id="problem-${slug}"`);
    expect(html).toContain('POST /v1/query');
    expect(html).not.toContain('<script');
  });
});

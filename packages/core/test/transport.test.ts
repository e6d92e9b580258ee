/**
 * Transport behaviour over real HTTP against a tiny node:http server scripted per test (faults
 * the sandbox cannot produce on demand: hangs, resets mid-body, exact Retry-After values).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import * as E from 'fp-ts/lib/Either.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createTransport, type RequestInfo } from '../src/transport.js';

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => unknown;
let server: Server | undefined;
const connections = new Set<unknown>();

async function serve(handler: Handler): Promise<string> {
  let n = 0;
  server = createServer((req, res) => {
    n += 1;
    req.resume();
    req.on('end', () => handler(req, res, n));
  });
  server.on('connection', (s) => connections.add(s));
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterEach(async () => {
  connections.clear();
  const s = server;
  server = undefined;
  if (s === undefined) return;
  s.closeAllConnections();
  await new Promise((r) => s.close(r));
});

const fast = { baseMs: 5, capMs: 20, maxRetries: 4, budgetMs: 5000 };

describe('transport', () => {
  it('retries transient statuses with a fresh transactionId each attempt', async () => {
    const ids: string[] = [];
    const url = await serve((req, res, n) => {
      ids.push(String(req.headers['transactionid']));
      if (n < 3) res.writeHead(503).end('{"code":"BAS_99999","message":"Internal server error"}');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    let retries = 0;
    const t = createTransport({ baseUrl: url, retry: fast });
    const r = await t.send(
      { method: 'POST', path: '/x', headers: {} },
      { onRetry: () => (retries += 1) },
    )();
    t.close();
    expect(E.isRight(r) && r.right.status).toBe(200);
    expect(retries).toBe(2);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('honours Retry-After', async () => {
    const url = await serve((_req, res, n) => {
      if (n === 1) res.writeHead(429, { 'retry-after': '1' }).end();
      else res.writeHead(200).end('{}');
    });
    const t = createTransport({ baseUrl: url, retry: fast });
    const started = performance.now();
    const r = await t.send({ method: 'GET', path: '/', headers: {} })();
    t.close();
    expect(E.isRight(r)).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
  });

  it('is bounded in count (the last answer comes back) and in total time', async () => {
    let calls = 0;
    const url = await serve((_req, res) => {
      calls += 1;
      res.writeHead(500).end('{"code":"CMN_90000","message":"Internal server error"}');
    });
    const t = createTransport({ baseUrl: url, retry: fast });
    const r = await t.send({ method: 'GET', path: '/', headers: {} })();
    expect(E.isRight(r) && r.right.status).toBe(500);
    expect(calls).toBe(5);
    calls = 0;
    const t2 = createTransport({
      baseUrl: url,
      retry: { ...fast, maxRetries: 100, baseMs: 50, capMs: 50, budgetMs: 120 },
    });
    const started = performance.now();
    await t2.send({ method: 'GET', path: '/', headers: {} })();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(calls).toBeLessThan(30); // far fewer than the 100 allowed retries: the time budget stopped it
    t.close();
    t2.close();
  });

  it('retries a connection reset, even mid-body', async () => {
    const url = await serve((_req, res, n) => {
      if (n === 1) {
        res.socket?.destroy();
        return;
      }
      if (n === 2) {
        res.writeHead(200, { 'content-length': '100' });
        res.write('{"partial":');
        setTimeout(() => res.socket?.destroy(), 5);
        return;
      }
      res.writeHead(200).end('{"whole":true}');
    });
    const t = createTransport({ baseUrl: url, retry: fast });
    const r = await t.send({ method: 'GET', path: '/', headers: {} })();
    t.close();
    expect(E.isRight(r) && r.right.body).toBe('{"whole":true}');
  });

  it('times out a hanging request, and reports a NetworkError with the transactionId when retries run out', async () => {
    const url = await serve(() => undefined);
    const t = createTransport({
      baseUrl: url,
      retry: { ...fast, maxRetries: 1 },
      timeouts: { requestMs: 100 },
    });
    const r = await t.send({ method: 'GET', path: '/', headers: {} })();
    expect(E.isLeft(r) && r.left._tag).toBe('Timeout');
    t.close();
    server?.closeAllConnections();
    await new Promise((res) => server?.close(res));
    const dead = createTransport({ baseUrl: url, retry: { ...fast, maxRetries: 1 } });
    const r2 = await dead.send({ method: 'GET', path: '/', headers: {} })();
    expect(E.isLeft(r2) && r2.left._tag).toBe('NetworkError');
    if (E.isLeft(r2) && r2.left._tag === 'NetworkError')
      expect(r2.left.transactionId).toMatch(/^[0-9a-f-]{36}$/);
    dead.close();
    server = undefined;
  });

  it('aborts promptly with an AbortSignal', async () => {
    const url = await serve(() => undefined);
    const t = createTransport({ baseUrl: url, retry: fast });
    const c = new AbortController();
    setTimeout(() => c.abort(), 50);
    const started = performance.now();
    const r = await t.send({ method: 'GET', path: '/', headers: {}, signal: c.signal })();
    t.close();
    expect(E.isLeft(r) && r.left._tag).toBe('Aborted');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('asks for gzip, decodes it, and reuses connections (keep-alive)', async () => {
    const url = await serve((req, res) => {
      expect(req.headers['accept-encoding']).toBe('gzip');
      res
        .writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'application/json' })
        .end(gzipSync('{"zipped":true}'));
    });
    const seen: RequestInfo[] = [];
    const statuses: number[] = [];
    const t = createTransport({
      baseUrl: url,
      middleware: [
        {
          name: 'spy',
          before: (r) => void seen.push(r),
          after: (_r, res) => void statuses.push(res.status),
        },
      ],
    });
    for (let i = 0; i < 5; i += 1) {
      const r = await t.send({ method: 'GET', path: '/', headers: {} })();
      expect(E.isRight(r) && r.right.body).toBe('{"zipped":true}');
    }
    t.close();
    expect(connections.size).toBe(1);
    expect(seen).toHaveLength(5);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
  });

  it('retries a body cut short (a truncated answer that ends cleanly) when JSON is expected', async () => {
    const url = await serve((_req, res, n) => {
      if (n === 1)
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"count":1,"bankingAct');
      else
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end('{"count":0,"bankingActivities":[]}');
    });
    let retries = 0;
    const t = createTransport({ baseUrl: url, retry: fast });
    const r = await t.send(
      { method: 'POST', path: '/', headers: {}, expectJson: true },
      { onRetry: () => (retries += 1) },
    )();
    t.close();
    expect(E.isRight(r) && r.right.json).toEqual({ count: 0, bankingActivities: [] });
    expect(retries).toBe(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { parseFaultSpec, startSandbox, type Sandbox } from '../src/index.js';
import { accessToken, daysAgo, searchRequest, send } from './helpers.js';

let sb: Sandbox;
let token: string;
const body = () =>
  JSON.stringify({ startTime: daysAgo(30), endTime: new Date().toISOString(), pageSize: 500 });

/** Sends a search and reports what happened on the wire. */
function rawSearch(): Promise<{
  status?: number | undefined;
  bytes: Buffer;
  error?: string;
  complete: boolean;
  length?: string | undefined;
}> {
  return new Promise((resolve) => {
    const b = body();
    const req = request(
      `${sb.url}/v1/banking-activities`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          transactionId: randomUUID(),
          'content-type': 'application/json',
          'content-length': String(b.length),
          'accept-encoding': 'gzip',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            bytes: Buffer.concat(chunks),
            complete: res.complete,
            length: res.headers['content-length'],
          }),
        );
        const length = res.headers['content-length'];
        res.on('error', (e) =>
          resolve({
            status: res.statusCode,
            bytes: Buffer.concat(chunks),
            error: e.message,
            complete: false,
            length,
          }),
        );
        res.on('aborted', () =>
          resolve({
            status: res.statusCode,
            bytes: Buffer.concat(chunks),
            error: 'aborted',
            complete: false,
            length,
          }),
        );
      },
    );
    req.on('error', (e) => resolve({ bytes: Buffer.alloc(0), error: e.message, complete: false }));
    req.end(b);
  });
}

beforeAll(async () => {
  sb = await startSandbox({ port: 0, events: 3000, adminEnabled: true });
  token = await accessToken(sb);
});
afterAll(async () => {
  await sb.close();
});

describe('fault injection', () => {
  it('parses fault specs from key=value pairs and JSON, and rejects bad ones clearly', () => {
    expect(parseFaultSpec('latencyMs=50, jitterMs=20,errorRate=0.1')).toEqual({
      ok: true,
      spec: { latencyMs: 50, jitterMs: 20, errorRate: 0.1 },
    });
    expect(parseFaultSpec('{"resetRate":0.5}')).toEqual({ ok: true, spec: { resetRate: 0.5 } });
    expect(parseFaultSpec('')).toEqual({ ok: true, spec: {} });
    expect(parseFaultSpec('errorRate=2')).toMatchObject({
      ok: false,
      message: expect.stringContaining('between 0 and 1'),
    });
    expect(parseFaultSpec('explode=1')).toMatchObject({
      ok: false,
      message: expect.stringContaining('unknown fault'),
    });
    expect(parseFaultSpec('latencyMs')).toMatchObject({ ok: false });
    expect(() => sb.setFaults({ errorRate: -1 })).toThrow(/non-negative/);
  });

  it('adds latency (fixed plus jitter)', async () => {
    sb.setFaults({ latencyMs: 120, jitterMs: 30 });
    try {
      const start = performance.now();
      const r = await searchRequest(sb, token, JSON.parse(body()));
      const elapsed = performance.now() - start;
      expect(r.status).toBe(200);
      expect(elapsed).toBeGreaterThanOrEqual(115);
    } finally {
      sb.setFaults({});
    }
  });

  it('resets the connection mid-body', async () => {
    sb.setFaults({ resetRate: 1 });
    try {
      const r = await rawSearch();
      expect(r.status).toBe(200);
      expect(r.complete).toBe(false);
      expect(r.bytes.length).toBeLessThan(Number(r.length));
    } finally {
      sb.setFaults({});
    }
  });

  it('truncates the gzip body (the HTTP response ends cleanly, gunzip fails)', async () => {
    sb.setFaults({ truncateRate: 1 });
    try {
      const r = await rawSearch();
      expect(r.status).toBe(200);
      expect(r.complete).toBe(true);
      expect(r.bytes.length).toBeGreaterThan(10);
      expect(() => gunzipSync(r.bytes)).toThrow(/unexpected end of file/);
    } finally {
      sb.setFaults({});
    }
    const clean = await rawSearch();
    expect(JSON.parse(gunzipSync(clean.bytes).toString()).count).toBe(500);
  });

  it('applies rates statistically', async () => {
    sb.setFaults({ errorRate: 0.5 });
    try {
      let errors = 0;
      for (let i = 0; i < 40; i += 1)
        if (
          (
            await searchRequest(sb, token, {
              startTime: daysAgo(2),
              endTime: new Date().toISOString(),
              pageSize: 1,
            })
          ).status === 500
        )
          errors += 1;
      expect(errors).toBeGreaterThan(8);
      expect(errors).toBeLessThan(32);
    } finally {
      sb.setFaults({});
    }
  });

  it('has an admin endpoint to read and set faults (loopback only, off by default)', async () => {
    const put = await send(
      `${sb.url}/__admin/faults`,
      'PUT',
      { 'content-type': 'application/json' },
      JSON.stringify({ rateLimitRate: 1 }),
    );
    expect(put.status).toBe(200);
    expect((await send(`${sb.url}/__admin/faults`, 'GET', {})).json).toEqual({ rateLimitRate: 1 });
    expect((await searchRequest(sb, token, JSON.parse(body()))).status).toBe(429);
    const bad = await send(
      `${sb.url}/__admin/faults`,
      'PUT',
      { 'content-type': 'application/json' },
      JSON.stringify({ rateLimitRate: 7 }),
    );
    expect(bad.status).toBe(400);
    await send(`${sb.url}/__admin/faults`, 'PUT', { 'content-type': 'application/json' }, '{}');
    expect((await searchRequest(sb, token, JSON.parse(body()))).status).toBe(200);
    const off = await startSandbox({ port: 0, events: 100 });
    try {
      expect((await send(`${off.url}/__admin/faults`, 'GET', {})).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});

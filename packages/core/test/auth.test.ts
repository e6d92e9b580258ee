/**
 * OAuth2 against the real sandbox: every grant, refresh ahead of expiry, single flight, 401 →
 * refresh once and retry, revoke, bad credentials, redaction.
 */
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth, TokenCache } from '../src/auth.js';
import { createClient } from '../src/client.js';
import { BaqlError, describeError } from '../src/errors.js';
import { createTransport } from '../src/transport.js';
import { clientOptions, lastDays, sandbox, type Sandbox, wire } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await sandbox({ tokenTtlSeconds: 3 });
});
afterAll(async () => {
  await sb.close();
});

const search = async (token: string) => {
  const res = await fetch(`${sb.url}/v1/banking-activities`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      transactionId: crypto.randomUUID(),
    },
    body: JSON.stringify({ ...lastDays(sb, 1), pageSize: 1 }),
  });
  await res.arrayBuffer();
  return res.status;
};

describe('auth on the sandbox', () => {
  it('client_credentials: one token serves many requests until near expiry', async () => {
    const w = wire(sb);
    const a = await w.auth.token()();
    const b = await w.auth.token()();
    expect(E.isRight(a) && E.isRight(b) && a.right === b.right).toBe(true);
    expect(w.auth.stats.tokenRequests).toBe(1);
    if (E.isRight(a)) expect(await search(a.right)).toBe(200);
    w.transport.close();
  });

  it('single flight: 100 concurrent queries make exactly one token request', async () => {
    const client = createClient({
      ...clientOptions(sb),
    });
    const now = new Date(Date.parse(sb.dataRange.end) + 1000);
    const results = await Promise.all(
      Array.from({ length: 100 }, () => client.query('type:login since 1h | count', { now })),
    );
    expect(results.every((r) => r.rows.length === 1)).toBe(true);
    expect(client.authStats.tokenRequests).toBe(1);
    await client.close();
  });

  it('password grant, then refresh_token ahead of expiry (skew), then a fresh grant when refresh is refused', async () => {
    const user = sb.users[0];
    if (user === undefined) throw new Error('no sandbox user');
    let clock = Date.now();
    const transport = createTransport({ baseUrl: sb.url });
    const auth = createAuth({
      transport,
      clientId: sb.clientId,
      clientSecret: sb.clientSecret,
      institutionId: sb.institutionId,
      grant: { type: 'password', username: user.username, password: user.password },
      now: () => clock,
    });
    const first = await auth.token()();
    expect(E.isRight(first)).toBe(true);
    expect(auth.stats).toMatchObject({ tokenRequests: 1, refreshes: 0 });
    // Inside the skew window (last 20 % of a 3 s lifetime): the current token is returned and a
    // background refresh starts; the next call gets the refreshed token.
    clock += 2700;
    const during = await auth.token()();
    expect(E.isRight(during) && E.isRight(first) && during.right === first.right).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(auth.stats.refreshes).toBe(1);
    const refreshed = await auth.token()();
    expect(E.isRight(refreshed) && E.isRight(first) && refreshed.right !== first.right).toBe(true);
    if (E.isRight(refreshed)) expect(await search(refreshed.right)).toBe(200);
    // Revoke (refresh token first, which kills its access tokens), then a new password grant.
    const revoked = await auth.revoke()();
    expect(E.isRight(revoked)).toBe(true);
    if (E.isRight(refreshed)) expect(await search(refreshed.right)).toBe(401);
    const again = await auth.token()();
    expect(E.isRight(again)).toBe(true);
    expect(auth.stats.tokenRequests).toBe(3);
    transport.close();
  });

  it('401 from the API: refresh once and retry the page', async () => {
    const cache = new TokenCache();
    const client = createClient({
      ...clientOptions(sb),
      tokenCache: cache,
    });
    const now = new Date(Date.parse(sb.dataRange.end) + 1000);
    await client.query('type:login since 1h | count', { now });
    // Revoke the cached access token behind the client's back.
    const other = wire(sb, { cache });
    const token = await other.auth.token()();
    expect(E.isRight(token)).toBe(true);
    await other.auth.revoke()();
    const before = client.authStats.tokenRequests;
    const r = await client.query('type:login since 1h | count', { now });
    expect(r.rows).toHaveLength(1);
    expect(client.authStats.tokenRequests).toBe(before + 1);
    other.transport.close();
    await client.close();
  });

  it('logout revokes the tokens', async () => {
    const client = createClient({
      ...clientOptions(sb),
    });
    const now = new Date(Date.parse(sb.dataRange.end) + 1000);
    await client.query('type:login since 1h | count', { now });
    await client.logout();
    expect(client.authStats.revokes).toBe(1);
    await client.close();
  });

  it('bad credentials are an AuthError that explains the code and never shows the secret', async () => {
    const secret = 'definitely-wrong-secret-123';
    const client = createClient({
      baseUrl: sb.url,
      clientId: sb.clientId,
      clientSecret: secret,
      institutionId: sb.institutionId,
    });
    const now = new Date(Date.parse(sb.dataRange.end) + 1000);
    try {
      await client.query('type:login since 1h', { now });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(BaqlError);
      const e = error as BaqlError;
      expect(e.reason._tag).toBe('AuthError');
      expect(e.message).toContain('CMN_90004');
      expect(e.message).toContain('invalid client credentials');
      expect(e.message).not.toContain(secret);
      expect(JSON.stringify(e.reason)).not.toContain(secret);
      expect(describeError(e.reason)).not.toContain(secret);
    }
    await client.close();
  });

  it('tokens never appear in errors, logs or explain output', async () => {
    const logs: string[] = [];
    const client = createClient({
      ...clientOptions(sb),
      retry: { baseMs: 1, capMs: 2, maxRetries: 1 },
      logger: {
        debug: (m, f) => logs.push(`${m} ${JSON.stringify(f)}`),
        warn: (m, f) => logs.push(`${m} ${JSON.stringify(f)}`),
      },
    });
    const w = wire(sb);
    const token = await w.auth.token()();
    const now = new Date(Date.parse(sb.dataRange.end) + 1000);
    sb.setFaults({ errorRate: 1 });
    let message = '';
    try {
      await client.query('type:login since 1h', { now });
    } catch (error) {
      message = (error as Error).message;
    } finally {
      sb.setFaults({});
    }
    expect(message).toMatch(/HTTP 500/);
    expect(logs.length).toBeGreaterThan(0);
    const everything = [message, ...logs, client.explain('type:login since 1h', { now })].join(
      '\n',
    );
    expect(everything).not.toContain(sb.clientSecret);
    if (E.isRight(token)) expect(everything).not.toContain(token.right);
    w.transport.close();
    await client.close();
  });
});

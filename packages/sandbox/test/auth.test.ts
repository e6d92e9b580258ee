import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/index.js';
import {
  accessToken,
  daysAgo,
  revokeRequest,
  searchRequest,
  send,
  tokenRequest,
} from './helpers.js';

let sb: Sandbox;
let clock = Date.now();
const window = () => ({ startTime: daysAgo(10), endTime: new Date().toISOString(), pageSize: 1 });

beforeAll(async () => {
  sb = await startSandbox({ port: 0, events: 1000, tokenTtlSeconds: 60, now: () => clock });
});
afterAll(async () => {
  await sb.close();
});

describe('Auth v2 grants', () => {
  it('client_credentials: access token only, expires_in a string, all allowed scopes by default', async () => {
    const r = await tokenRequest(sb, { grant_type: 'client_credentials' });
    expect(r.status).toBe(200);
    const body = r.json as Record<string, unknown>;
    expect(body).toEqual({
      access_token: expect.stringMatching(/^[A-Za-z0-9]{28}$/),
      token_type: 'Bearer',
      expires_in: '60',
    });
    expect(r.headers['transactionid']).toBeDefined();
  });

  it('password: access and refresh tokens for a sandbox user; refresh mints new ones; revoking the refresh token kills its access tokens', async () => {
    const user = sb.users.find((u) => u.segment === 'retail');
    const r = await tokenRequest(sb, {
      grant_type: 'password',
      username: user?.username ?? '',
      password: user?.password ?? '',
    });
    expect(r.status).toBe(200);
    const first = r.json as Record<string, string>;
    expect(first.refresh_token).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(first.refresh_token_expires_in).toBe('15552000');
    const refreshed = await tokenRequest(
      sb,
      { grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '' },
      { omit: ['institutionId'] },
    );
    expect(refreshed.status).toBe(200);
    const second = refreshed.json as Record<string, string>;
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect((await searchRequest(sb, second.access_token, window())).status).toBe(200);
    expect((await revokeRequest(sb, first.refresh_token ?? '')).status).toBe(204);
    for (const t of [first.access_token, second.access_token])
      expect((await searchRequest(sb, t, window())).status).toBe(401);
    const again = await tokenRequest(sb, {
      grant_type: 'refresh_token',
      refresh_token: second.refresh_token ?? '',
    });
    expect((again.json as { code: string }).code).toBe('CMN_90016');
  });

  it('a refresh token belongs to its client', async () => {
    const user = sb.users.find((u) => u.segment === 'business');
    const r = await tokenRequest(sb, {
      grant_type: 'password',
      username: user?.username ?? '',
      password: user?.password ?? '',
    });
    const refresh = (r.json as Record<string, string>).refresh_token ?? '';
    const other = await tokenRequest(
      sb,
      { grant_type: 'refresh_token', refresh_token: refresh },
      { client: [sb.partnerClientId, sb.partnerClientSecret] },
    );
    expect((other.json as { code: string }).code).toBe('CMN_90016');
  });

  it('requested scopes narrow the token (space or comma separated)', async () => {
    const t = await accessToken(sb, 'accounts:read transactions:read');
    const r = await searchRequest(sb, t, window());
    expect((r.json as { code: string }).code).toBe('BAS_10103');
  });

  it('tokens expire after tokenTtlSeconds, and the early-expiry fault ends them sooner', async () => {
    const t = await accessToken(sb);
    clock += 59_000;
    expect((await searchRequest(sb, t, window())).status).toBe(200);
    clock += 2_000;
    const expired = await searchRequest(sb, t, window());
    expect(expired.status).toBe(401);
    expect((expired.json as { code: string }).code).toBe('BAS_10102');
    clock = Date.now();
    sb.setFaults({ tokenTtlSeconds: 5 });
    try {
      const early = await accessToken(sb);
      const body = await tokenRequest(sb, { grant_type: 'client_credentials' });
      expect((body.json as { expires_in: string }).expires_in).toBe('60');
      expect((await searchRequest(sb, early, window())).status).toBe(200);
      clock += 6_000;
      expect((await searchRequest(sb, early, window())).status).toBe(401);
    } finally {
      sb.setFaults({});
      clock = Date.now();
    }
  });

  it('the OIDC partner flow: client-authorization, auth-code, code exchange with an id_token and offline refresh', async () => {
    const cc = await accessToken(sb);
    const user = sb.users[0];
    const headers = {
      authorization: `Bearer ${cc}`,
      institutionId: sb.institutionId,
      'content-type': 'application/x-www-form-urlencoded',
    };
    const ca = await send(
      `${sb.url}/v1/client-authorization`,
      'POST',
      { ...headers, transactionId: randomUUID() },
      `client_id=${sb.partnerClientId}`,
    );
    expect(ca.status).toBe(200);
    const scopes = (ca.json as { scopes: string }).scopes;
    expect(scopes).toContain('offline_access');
    const code = await send(
      `${sb.url}/v1/auth-code`,
      'POST',
      { ...headers, transactionId: randomUUID() },
      new URLSearchParams({
        client_id: sb.partnerClientId,
        scopes,
        username: user?.username ?? '',
        institution_user_id: user?.memberId ?? '',
        requested_scopes: 'openid,profile,offline_access',
      }).toString(),
    );
    expect(code.status).toBe(200);
    const value = (code.json as { code: string }).code;
    const exchange = await tokenRequest(
      sb,
      { grant_type: 'authorization_code', code: value },
      { client: [sb.partnerClientId, sb.partnerClientSecret], omit: ['institutionId'] },
    );
    expect(exchange.status).toBe(200);
    const tokens = exchange.json as Record<string, string>;
    expect(tokens.expires_in).toBe('60');
    expect(tokens.id_token?.split('.')).toHaveLength(3);
    expect(tokens.refresh_token).toBeDefined();
    const reuse = await tokenRequest(
      sb,
      { grant_type: 'authorization_code', code: value },
      { client: [sb.partnerClientId, sb.partnerClientSecret] },
    );
    expect((reuse.json as { code: string }).code).toBe('CMN_90016');
    const badUser = await send(
      `${sb.url}/v1/auth-code`,
      'POST',
      { ...headers, transactionId: randomUUID() },
      new URLSearchParams({
        client_id: sb.partnerClientId,
        scopes,
        username: user?.username ?? '',
        institution_user_id: 'someone-else',
      }).toString(),
    );
    expect((badUser.json as { code: string }).code).toBe('CMN_90005');
  });

  it('never logs secrets, passwords or tokens', async () => {
    const lines: string[] = [];
    const logged = await startSandbox({ port: 0, events: 200, log: (l) => lines.push(l) });
    try {
      const user = logged.users[0];
      const r = await tokenRequest(logged, {
        grant_type: 'password',
        username: user?.username ?? '',
        password: user?.password ?? '',
      });
      const tokens = r.json as Record<string, string>;
      await searchRequest(logged, tokens.access_token, window());
      await revokeRequest(logged, tokens.refresh_token ?? '');
      expect(lines).toHaveLength(3);
      const all = lines.join('\n');
      for (const secret of [
        logged.clientSecret,
        user?.password ?? '',
        tokens.access_token ?? '',
        tokens.refresh_token ?? '',
      ])
        expect(all).not.toContain(secret);
      expect(lines[1]).toMatch(
        /POST \/v1\/banking-activities 200 \d+ms records=1 client=baql-sandbox tx=/,
      );
    } finally {
      await logged.close();
    }
  });
});

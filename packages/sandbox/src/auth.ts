/**
 * The emulated Authentication API v2: client authentication (HTTP Basic against hashed secrets),
 * the `client_credentials`, `password`, `refresh_token` and `authorization_code` grants, token
 * revocation (a revoked refresh token takes its access tokens with it), the OIDC helper calls,
 * and bearer verification for the Banking Activities endpoint. Tokens live in memory.
 * @module
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { ClientConfig, SandboxConfig } from './config.js';
import { apiError, fail, isPrintableAscii, ok, type ApiError, type Result } from './errors.js';
import { verifySecret, type Store } from './store.js';

/** A token the sandbox issued. @since 0.1.0 */
export interface TokenInfo {
  readonly token: string;
  readonly kind: 'access' | 'refresh';
  readonly clientId: string;
  readonly institutionId: string;
  readonly scopes: readonly string[];
  readonly grant: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly loginId?: string;
  /** The refresh token this token was minted from (revoking it revokes this one). */
  readonly parent?: string;
  revoked: boolean;
}

/** A request as the auth handlers see it: lowercase header names and the form body. @since 0.1.0 */
export interface AuthRequest {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

/** Options of the auth service. @since 0.1.0 */
export interface AuthOptions {
  readonly tokenTtlSeconds: number;
  readonly refreshTtlSeconds: number;
  readonly now: () => number;
  /** The early-expiry fault: tokens die this many seconds after issue (undefined: off). */
  readonly earlyExpirySeconds: () => number | undefined;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const MAX_FAILURES = 5;
const BLOCK_MS = 15 * 60_000;

function opaque(n: number): string {
  const bytes = randomBytes(n);
  let out = '';
  for (const b of bytes) out += ALNUM[b % ALNUM.length];
  return out;
}

/** True for a syntactically valid UUID (any version), as `transactionId` requires. @since 0.1.0 */
export const isUuid = (s: string): boolean => UUID.test(s);

/** Splits a `scopes` form value (`"a, b"`, `"a b"` or `"a,b"`). @since 0.1.0 */
export function parseScopes(value: string): string[] {
  return value.split(/[\s,]+/).filter((s) => s !== '');
}

/** The token service. @since 0.1.0 */
export class AuthService {
  private readonly tokens = new Map<string, TokenInfo>();
  private readonly children = new Map<string, Set<string>>();
  private readonly codes = new Map<
    string,
    {
      clientId: string;
      institutionId: string;
      loginId: string;
      scopes: string[];
      offline: boolean;
      expiresAt: number;
    }
  >();
  private readonly failures = new Map<string, { count: number; blockedUntil: number }>();
  private readonly idSecret = randomBytes(32);

  constructor(
    private readonly config: SandboxConfig,
    private readonly store: Store,
    private readonly options: AuthOptions,
  ) {}

  /** Authenticates the client of a token/revoke request from its Basic header. */
  private client(req: AuthRequest): Result<ClientConfig> {
    const auth = req.headers.authorization;
    if (auth === undefined || auth === '') return fail(apiError('CMN_90001'));
    const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(auth.trim());
    if (!m) return fail(apiError('CMN_90010'));
    const decoded = Buffer.from(m[1] ?? '', 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return fail(apiError('CMN_90010'));
    const id = decoded.slice(0, colon);
    const secret = decoded.slice(colon + 1);
    const client = this.config.clients.find((c) => c.clientId === id);
    if (!client || !verifySecret(secret, client.secretHash)) return fail(apiError('CMN_90004'));
    return ok(client);
  }

  private common(req: AuthRequest): Result<{ client: ClientConfig; form: URLSearchParams }> {
    if (
      !isPrintableAscii(req.body) ||
      Object.values(req.headers).some((v) => v !== undefined && !isPrintableAscii(v))
    ) {
      return fail(apiError('CMN_90017'));
    }
    const tx = req.headers.transactionid;
    if (tx === undefined || !isUuid(tx)) return fail(apiError('CMN_90008'));
    const client = this.client(req);
    if (!client.ok) return client;
    const type = (req.headers['content-type'] ?? '').toLowerCase();
    if (!type.startsWith('application/x-www-form-urlencoded')) return fail(apiError('CMN_90011'));
    const form = new URLSearchParams(req.body);
    for (const [k, v] of form)
      if (!isPrintableAscii(k) || !isPrintableAscii(v)) return fail(apiError('CMN_90017'));
    return ok({ client: client.value, form });
  }

  private expiry(issuedAt: number, ttlSeconds: number): number {
    return issuedAt + ttlSeconds * 1000;
  }

  private issue(
    info: Omit<TokenInfo, 'token' | 'revoked' | 'issuedAt' | 'expiresAt'>,
    ttlSeconds: number,
  ): TokenInfo {
    const issuedAt = this.options.now();
    const t: TokenInfo = {
      ...info,
      token: opaque(info.kind === 'access' ? 28 : 32),
      issuedAt,
      expiresAt: this.expiry(issuedAt, ttlSeconds),
      revoked: false,
    };
    this.tokens.set(t.token, t);
    if (t.parent) {
      let set = this.children.get(t.parent);
      if (!set) this.children.set(t.parent, (set = new Set()));
      set.add(t.token);
    }
    return t;
  }

  private alive(t: TokenInfo | undefined): t is TokenInfo {
    if (!t || t.revoked) return false;
    const now = this.options.now();
    if (now >= t.expiresAt) return false;
    const early = this.options.earlyExpirySeconds();
    if (t.kind === 'access' && early !== undefined && now >= t.issuedAt + early * 1000)
      return false;
    return true;
  }

  private scopesFor(client: ClientConfig, requested: string | null): Result<string[]> {
    if (requested === null || requested.trim() === '') return ok([...client.scopes]);
    const scopes = parseScopes(requested);
    if (scopes.some((s) => !client.scopes.includes(s))) return fail(apiError('CMN_90012'));
    return ok(scopes);
  }

  private institution(req: AuthRequest, client: ClientConfig): Result<string> {
    const inst = req.headers.institutionid;
    if (inst === undefined || !/^\d{1,10}$/.test(inst) || !client.institutions.includes(inst))
      return fail(apiError('CMN_90005'));
    return ok(inst);
  }

  private grantResponse(
    access: TokenInfo,
    refresh?: TokenInfo,
    extra: Record<string, string> = {},
  ): Record<string, string> {
    const body: Record<string, string> = {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: String(Math.round((access.expiresAt - access.issuedAt) / 1000)),
    };
    if (refresh) {
      body.refresh_token = refresh.token;
      body.refresh_token_expires_in = String(
        Math.round((refresh.expiresAt - refresh.issuedAt) / 1000),
      );
    }
    return { ...body, ...extra };
  }

  /** `POST /oauth2/v1/token`. */
  token(req: AuthRequest): Result<Record<string, string>> {
    const c = this.common(req);
    if (!c.ok) return c;
    const { client, form } = c.value;
    const grant = form.get('grant_type');
    if (
      grant === null ||
      !['client_credentials', 'password', 'refresh_token', 'authorization_code'].includes(grant)
    )
      return fail(apiError('CMN_90007'));
    if (!client.grants.includes(grant)) return fail(apiError('CMN_90006'));
    const ttl = this.options.tokenTtlSeconds;
    switch (grant) {
      case 'client_credentials': {
        const inst = this.institution(req, client);
        if (!inst.ok) return inst;
        const scopes = this.scopesFor(client, form.get('scopes'));
        if (!scopes.ok) return scopes;
        const access = this.issue(
          {
            kind: 'access',
            clientId: client.clientId,
            institutionId: inst.value,
            scopes: scopes.value,
            grant,
          },
          ttl,
        );
        return ok(this.grantResponse(access));
      }
      case 'password': {
        const inst = this.institution(req, client);
        if (!inst.ok) return inst;
        const username = form.get('username');
        const password = form.get('password');
        if (username === null || username === '') return fail(apiError('CMN_90013'));
        if (password === null || password === '') return fail(apiError('CMN_90014'));
        const scopes = this.scopesFor(client, form.get('scopes'));
        if (!scopes.ok) return scopes;
        const key = `${inst.value}|${username}`;
        const now = this.options.now();
        const record = this.failures.get(key);
        if (record && record.blockedUntil > now) return fail(apiError('CMN_90009'));
        const user = this.store.findUser(inst.value, username);
        if (!user || !verifySecret(password, user.passwordHash)) {
          const count =
            (record && record.blockedUntil <= now && record.count >= MAX_FAILURES
              ? 0
              : (record?.count ?? 0)) + 1;
          this.failures.set(key, {
            count,
            blockedUntil: count >= MAX_FAILURES ? now + BLOCK_MS : 0,
          });
          return fail(apiError('CMN_90015'));
        }
        this.failures.delete(key);
        const base = {
          clientId: client.clientId,
          institutionId: inst.value,
          scopes: scopes.value,
          grant,
          loginId: user.loginId,
        };
        const refresh = this.issue({ ...base, kind: 'refresh' }, this.options.refreshTtlSeconds);
        const access = this.issue({ ...base, kind: 'access', parent: refresh.token }, ttl);
        return ok(this.grantResponse(access, refresh));
      }
      case 'refresh_token': {
        const value = form.get('refresh_token');
        if (value === null || value === '') return fail(apiError('CMN_90011'));
        const old = this.tokens.get(value);
        if (!this.alive(old) || old.kind !== 'refresh' || old.clientId !== client.clientId)
          return fail(apiError('CMN_90016'));
        const base = {
          clientId: client.clientId,
          institutionId: old.institutionId,
          scopes: old.scopes,
          grant,
          ...(old.loginId ? { loginId: old.loginId } : {}),
        };
        const refresh = this.issue(
          { ...base, kind: 'refresh', parent: old.token },
          this.options.refreshTtlSeconds,
        );
        const access = this.issue({ ...base, kind: 'access', parent: refresh.token }, ttl);
        return ok(this.grantResponse(access, refresh));
      }
      default: {
        const value = form.get('code');
        if (value === null || value === '') return fail(apiError('CMN_90011'));
        const code = this.codes.get(value);
        this.codes.delete(value);
        if (!code || code.clientId !== client.clientId || code.expiresAt < this.options.now())
          return fail(apiError('CMN_90016'));
        const base = {
          clientId: client.clientId,
          institutionId: code.institutionId,
          scopes: code.scopes,
          grant,
          loginId: code.loginId,
        };
        const refresh = code.offline
          ? this.issue({ ...base, kind: 'refresh' }, this.options.refreshTtlSeconds)
          : undefined;
        const access = this.issue(
          { ...base, kind: 'access', ...(refresh ? { parent: refresh.token } : {}) },
          Math.min(ttl, 1799),
        );
        return ok(
          this.grantResponse(access, refresh, {
            id_token: this.idToken(client.clientId, code.loginId),
          }),
        );
      }
    }
  }

  private idToken(audience: string, subject: string): string {
    const now = Math.floor(this.options.now() / 1000);
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const head = enc({ typ: 'JWT', alg: 'HS256', kid: 'sandbox' });
    const body = enc({
      sub: subject,
      aud: audience,
      iss: 'https://sandbox.baql.local',
      iat: now,
      exp: now + 300,
    });
    const sig = createHmac('sha256', this.idSecret).update(`${head}.${body}`).digest('base64url');
    return `${head}.${body}.${sig}`;
  }

  /** `DELETE /oauth2/v1/revoke`: 204 on success (also for unknown tokens, as RFC 7009 says). */
  revoke(req: AuthRequest): Result<undefined> {
    const c = this.common(req);
    if (!c.ok) return c;
    const value = c.value.form.get('token');
    if (value === null || value === '') return fail(apiError('CMN_90011'));
    const t = this.tokens.get(value);
    if (t && t.clientId !== c.value.client.clientId) return fail(apiError('CMN_90006'));
    if (t) this.revokeTree(t.token);
    return ok(undefined);
  }

  private revokeTree(token: string): void {
    const t = this.tokens.get(token);
    if (t) t.revoked = true;
    for (const child of this.children.get(token) ?? []) this.revokeTree(child);
  }

  /** Verifies the Bearer header of an OIDC helper call (CMN_90018 when invalid). */
  private oidcCaller(req: AuthRequest): Result<{ info: TokenInfo; form: URLSearchParams }> {
    if (!isPrintableAscii(req.body)) return fail(apiError('CMN_90017'));
    const tx = req.headers.transactionid;
    if (tx === undefined || !isUuid(tx)) return fail(apiError('CMN_90008'));
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const info = m ? this.tokens.get(m[1] ?? '') : undefined;
    if (!this.alive(info) || info.kind !== 'access') return fail(apiError('CMN_90018'));
    const inst = req.headers.institutionid;
    if (inst !== undefined && inst !== info.institutionId) return fail(apiError('CMN_90005'));
    const form = new URLSearchParams(req.body);
    for (const [k, v] of form)
      if (!isPrintableAscii(k) || !isPrintableAscii(v)) return fail(apiError('CMN_90017'));
    return ok({ info, form });
  }

  /** `POST /v1/client-authorization`: the approved scopes of a partner client. */
  clientAuthorization(req: AuthRequest): Result<Record<string, unknown>> {
    const c = this.oidcCaller(req);
    if (!c.ok) return c;
    const target = this.config.clients.find((k) => k.clientId === c.value.form.get('client_id'));
    if (!target)
      return fail(apiError('CMN_90004', { status: 400, message: 'Invalid client credentials' }));
    return ok({
      scopes: target.scopes.join(','),
      appId: target.clientId,
      additional_info: {
        secondary_authentication_enabled: false,
        consent_enabled: false,
        device_registration_enabled: false,
      },
    });
  }

  /** `POST /v1/auth-code`: a short-lived single-use authorization code for a partner client. */
  authCode(req: AuthRequest): Result<Record<string, string>> {
    const c = this.oidcCaller(req);
    if (!c.ok) return c;
    const { info, form } = c.value;
    const clientId = form.get('client_id');
    const target = this.config.clients.find((k) => k.clientId === clientId);
    if (!target)
      return fail(apiError('CMN_90004', { status: 400, message: 'Invalid client credentials' }));
    if (target.clientId === info.clientId) return fail(apiError('CMN_90020'));
    const scopes = parseScopes(form.get('scopes') ?? '');
    if (scopes.length === 0 || scopes.some((s) => !target.scopes.includes(s)))
      return fail(apiError('CMN_90012'));
    const username = form.get('username');
    if (username === null || username === '') return fail(apiError('CMN_90013'));
    const user = this.store.findUser(info.institutionId, username);
    if (!user) return fail(apiError('CMN_90013'));
    if (form.get('institution_user_id') !== user.memberId)
      return fail(apiError('CMN_90005', { message: 'Form param institution_user_id is invalid' }));
    const requested = parseScopes(form.get('requested_scopes') ?? '');
    const code = opaque(8);
    this.codes.set(code, {
      clientId: target.clientId,
      institutionId: info.institutionId,
      loginId: user.loginId,
      scopes,
      offline: requested.includes('offline_access'),
      expiresAt: this.options.now() + 5 * 60_000,
    });
    return ok({ code, redirect_uri: 'https://localhost/oidc/callback' });
  }

  /**
   * Verifies the Bearer header of a Banking Activities request: BAS_10101 without one,
   * BAS_10104 for a JWT (the sandbox issues opaque tokens only), BAS_10102 for an unknown,
   * expired or revoked token (or a refresh token).
   */
  bearer(header: string | undefined): Result<TokenInfo> {
    if (header === undefined || header.trim() === '') return fail(apiError('BAS_10101'));
    const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!m) return fail(apiError('BAS_10101', { status: 403 })); // credentials, but not a Bearer token
    const value = m[1] ?? '';
    if (/^[\w-]+\.[\w-]+\.[\w-]*$/.test(value)) return fail(apiError('BAS_10104'));
    const t = this.tokens.get(value);
    if (!this.alive(t) || t.kind !== 'access') return fail(apiError('BAS_10102'));
    return ok(t);
  }
}

/** Narrowing helper for handlers. @since 0.1.0 */
export type AuthError = ApiError;

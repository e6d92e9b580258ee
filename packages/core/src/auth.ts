/**
 * OAuth2 (Authentication API v2) strategies, modelled on octokit's auth strategies: a strategy
 * gets tokens (`token()`), and wraps requests (`hook()`) so that a 401 refreshes once and retries.
 *
 * - Grants: `client_credentials`, and `password` with `refresh_token` (falls back to a new password
 *   grant when the refresh is refused).
 * - Basic client auth, form body, `institutionId` + `transactionId` headers, `scopes`.
 * - A {@link TokenCache} keyed by (base URL, client, institution, user, scopes); tokens are
 *   refreshed ahead of expiry (skew) in the background, and every refresh is single-flight: 100
 *   concurrent queries cause exactly one token request. That shared request is owned by no one
 *   query: a query aborted, cancelled or timed out while it is in flight stops waiting at once,
 *   and the request goes on for the others (it is cancelled only when nobody waits any more).
 * - Every secret and token is registered for redaction.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { DEFAULT_SCOPES } from '@baql/query';
import type { AccessTokenRequest, AccessTokenResponse } from '@baql/query';
import { AccessTokenResponseC, decodeWith } from './codecs.js';
import type { AuthError, BaqlReason } from './errors.js';
import { registerSecret } from './redact.js';
import { peekErrorBody, type HttpResponse, type Transport } from './transport.js';

/** The client-credentials grant (an institution-level token; no refresh token). */
export interface ClientCredentialsGrant {
  readonly type: 'client_credentials';
}
/** The password grant (a user's token, refreshed with its refresh token). */
export interface PasswordGrant {
  readonly type: 'password';
  readonly username: string;
  readonly password: string;
}
/** How to get tokens. */
export type Grant = ClientCredentialsGrant | PasswordGrant;

/** A cached token set. */
export interface TokenEntry {
  readonly accessToken: string;
  /** Epoch ms when the access token expires. */
  readonly expiresAt: number;
  /** Epoch ms when it was issued. */
  readonly issuedAt: number;
  readonly refreshToken?: string;
  readonly refreshExpiresAt?: number;
}

/** One token request in flight, shared by every caller that waits for it. */
interface Flight {
  readonly result: Promise<E.Either<BaqlReason, TokenEntry>>;
  /** The request's own signal: aborted only when every waiting caller has gone away. */
  readonly controller: AbortController;
  /** Callers still waiting (a caller without a signal never leaves). */
  waiters: number;
}

const ABORTED: BaqlReason = { _tag: 'Aborted' };

/**
 * Tokens by key, plus the in-flight token requests (single flight). Share one cache between
 * clients to share tokens; each client gets its own by default.
 */
export class TokenCache {
  readonly #entries = new Map<string, TokenEntry>();
  readonly #inflight = new Map<string, Flight>();
  /** The entry of `key`, if any. */
  get(key: string): TokenEntry | undefined {
    return this.#entries.get(key);
  }
  /** Stores an entry. */
  set(key: string, entry: TokenEntry): void {
    this.#entries.set(key, entry);
  }
  /** Forgets an entry. */
  delete(key: string): void {
    this.#entries.delete(key);
  }
  /**
   * Runs `fetch` unless a request for `key` is already in flight, in which case it joins it.
   *
   * The request belongs to no one caller: `fetch` gets a signal of its own, which aborts only
   * when every caller waiting for it has gone away (it is bounded otherwise by the transport's
   * request timeout and retry budget). Each caller waits with its own `signal`: when that aborts,
   * the caller gets `Aborted` at once and the request goes on for the others. A caller without a
   * signal (a background refresh) waits to the end.
   *
   * @example
   * ```ts
   * const entry = await cache.singleFlight(key, (signal) => requestToken(body, signal), query.signal);
   * ```
   * @since 0.1.0
   */
  singleFlight(
    key: string,
    fetch: (signal: AbortSignal) => Promise<E.Either<BaqlReason, TokenEntry>>,
    signal?: AbortSignal,
  ): Promise<E.Either<BaqlReason, TokenEntry>> {
    if (signal?.aborted === true) return Promise.resolve(E.left(ABORTED));
    let flight = this.#inflight.get(key);
    if (flight === undefined) {
      const controller = new AbortController();
      const started: Flight = {
        controller,
        waiters: 0,
        result: fetch(controller.signal).finally(() => this.#forget(key, started)),
      };
      this.#inflight.set(key, started);
      flight = started;
    }
    return this.#wait(key, flight, signal);
  }
  /** Removes `flight` from the in-flight requests unless a newer one has replaced it. */
  #forget(key: string, flight: Flight): void {
    if (this.#inflight.get(key) === flight) this.#inflight.delete(key);
  }
  /** Waits for `flight` until it settles or `signal` aborts (the last caller out cancels it). */
  #wait(
    key: string,
    flight: Flight,
    signal: AbortSignal | undefined,
  ): Promise<E.Either<BaqlReason, TokenEntry>> {
    flight.waiters += 1;
    if (signal === undefined) return flight.result;
    return new Promise((resolve, reject) => {
      const leave = () => {
        resolve(E.left(ABORTED));
        flight.waiters -= 1;
        if (flight.waiters === 0) {
          // Nobody waits any more: new callers start afresh instead of joining a cancelled request.
          this.#forget(key, flight);
          flight.controller.abort(ABORTED);
        }
      };
      signal.addEventListener('abort', leave, { once: true });
      flight.result.then(
        (value) => {
          signal.removeEventListener('abort', leave);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', leave);
          reject(error);
        },
      );
    });
  }
}

/** Options of {@link createAuth}. */
export interface AuthOptions {
  readonly transport: Transport;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly institutionId: string;
  readonly grant?: Grant;
  /** Scopes to ask for (default `banking-activities:read account:read`). */
  readonly scopes?: readonly string[];
  readonly cache?: TokenCache;
  /** Refresh this long before expiry at most (default 60 s; never more than 20 % of the lifetime). */
  readonly skewMs?: number;
  /** Clock (tests). */
  readonly now?: () => number;
}

/** Token counters. */
export interface AuthStats {
  /** Token endpoint calls that returned a token (every grant, refreshes included). */
  tokenRequests: number;
  refreshes: number;
  revokes: number;
}

/** An auth strategy. */
export interface Auth {
  /** The cache key of this strategy's tokens (no secrets in it). */
  readonly key: string;
  readonly stats: AuthStats;
  /** A valid access token (cached, refreshed ahead of expiry, single-flight). */
  token(signal?: AbortSignal): TE.TaskEither<BaqlReason, string>;
  /**
   * Sends a request with a bearer token; on a 401 (or an invalid-token code) refreshes once and
   * sends again. The final answer is returned whatever its status.
   */
  hook(
    send: (authorization: string) => TE.TaskEither<BaqlReason, HttpResponse>,
    signal?: AbortSignal,
  ): TE.TaskEither<BaqlReason, HttpResponse>;
  /** Revokes the cached tokens (refresh token first, which kills its access tokens) and forgets them. */
  revoke(signal?: AbortSignal): TE.TaskEither<BaqlReason, void>;
}

const INVALID_TOKEN_CODES: ReadonlySet<string> = new Set([
  'BAS_10102',
  'BAS_10104',
  'CMN_90016',
  'CMN_90018',
]);

/** Whether an answer says the bearer token is not (or no longer) valid. */
export function isInvalidToken(res: HttpResponse): boolean {
  if (res.status === 401) return true;
  if (res.status !== 400 && res.status !== 403) return false;
  const { code } = peekErrorBody(res.body);
  return code !== undefined && INVALID_TOKEN_CODES.has(code);
}

const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();

/** Creates an auth strategy. */
export function createAuth(options: AuthOptions): Auth {
  const grant: Grant = options.grant ?? { type: 'client_credentials' };
  const scopes = [...(options.scopes ?? DEFAULT_SCOPES)].sort();
  const now = options.now ?? Date.now;
  const cache = options.cache ?? new TokenCache();
  const stats: AuthStats = { tokenRequests: 0, refreshes: 0, revokes: 0 };
  registerSecret(options.clientSecret);
  if (grant.type === 'password') registerSecret(grant.password);
  const basic = `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')}`;
  registerSecret(basic.slice(6));
  const fingerprint = createHash('sha256').update(options.clientSecret).digest('hex').slice(0, 12);
  const key = JSON.stringify([
    options.transport.baseUrl,
    options.clientId,
    options.institutionId,
    grant.type === 'password' ? grant.username : '',
    scopes.join(' '),
    fingerprint,
  ]);

  const authError = (res: HttpResponse, fallback: string): AuthError => {
    const { code, message } = peekErrorBody(res.body);
    return {
      _tag: 'AuthError',
      message: message ?? fallback,
      status: res.status,
      transactionId: res.transactionId,
      ...(code === undefined ? {} : { code }),
    };
  };

  const requestToken = async (
    body: AccessTokenRequest,
    signal?: AbortSignal,
  ): Promise<E.Either<BaqlReason, TokenEntry>> => {
    const headers: Record<string, string> = {
      Authorization: basic,
      'Content-Type': 'application/x-www-form-urlencoded',
    };
    if (body.grant_type !== 'refresh_token') headers['institutionId'] = options.institutionId;
    const issuedAt = now();
    const sent = await options.transport.send({
      method: 'POST',
      path: '/oauth2/v1/token',
      headers,
      body: form(body as unknown as Record<string, string>),
      expectJson: true,
      ...(signal === undefined ? {} : { signal }),
    })();
    if (E.isLeft(sent)) return sent;
    const res = sent.right;
    if (res.status !== 200)
      return E.left(authError(res, `the token endpoint answered HTTP ${res.status}`));
    const decoded = decodeWith(AccessTokenResponseC, 'token response', res.json, res.transactionId);
    if (E.isLeft(decoded)) return decoded;
    const t: AccessTokenResponse = decoded.right;
    registerSecret(t.access_token);
    registerSecret(t.refresh_token);
    registerSecret(t.id_token);
    stats.tokenRequests += 1;
    const seconds = Number(t.expires_in);
    const lifetimeMs = (Number.isFinite(seconds) && seconds > 0 ? seconds : 1800) * 1000;
    const refreshSeconds = Number(t.refresh_token_expires_in);
    return E.right({
      accessToken: t.access_token,
      issuedAt,
      expiresAt: issuedAt + lifetimeMs,
      ...(t.refresh_token === undefined ? {} : { refreshToken: t.refresh_token }),
      ...(t.refresh_token === undefined || !Number.isFinite(refreshSeconds) || refreshSeconds <= 0
        ? {}
        : { refreshExpiresAt: issuedAt + refreshSeconds * 1000 }),
    });
  };

  const grantBody = (): AccessTokenRequest =>
    grant.type === 'password'
      ? {
          grant_type: 'password',
          username: grant.username,
          password: grant.password,
          scopes: scopes.join(' '),
        }
      : { grant_type: 'client_credentials', scopes: scopes.join(' ') };

  /** Gets a new token set (refresh grant when possible, else the configured grant). */
  const fetchEntry = (previous: TokenEntry | undefined, caller?: AbortSignal) =>
    cache.singleFlight(
      key,
      // The shared request runs with its own signal, never one caller's (see singleFlight).
      async (signal) => {
        let result: E.Either<BaqlReason, TokenEntry> | undefined;
        const refresh = previous?.refreshToken;
        if (
          refresh !== undefined &&
          (previous?.refreshExpiresAt === undefined || previous.refreshExpiresAt > now())
        ) {
          result = await requestToken(
            { grant_type: 'refresh_token', refresh_token: refresh },
            signal,
          );
          if (E.isRight(result)) stats.refreshes += 1;
          // A refused refresh falls back to the grant itself (as the SDK does).
          else if (result.left._tag !== 'AuthError') return result;
        }
        if (result === undefined || E.isLeft(result))
          result = await requestToken(grantBody(), signal);
        if (E.isRight(result)) cache.set(key, result.right);
        return result;
      },
      caller,
    );

  const skewFor = (entry: TokenEntry): number =>
    Math.min(options.skewMs ?? 60_000, (entry.expiresAt - entry.issuedAt) * 0.2);

  const token =
    (signal?: AbortSignal): TE.TaskEither<BaqlReason, string> =>
    async () => {
      const entry = cache.get(key);
      const t = now();
      if (entry !== undefined && t < entry.expiresAt) {
        if (t >= entry.expiresAt - skewFor(entry)) {
          // Refresh ahead in the background; the current token is still valid.
          void fetchEntry(entry);
        }
        return E.right(entry.accessToken);
      }
      const fresh = await fetchEntry(entry, signal);
      return E.map((e: TokenEntry) => e.accessToken)(fresh);
    };

  const hook =
    (
      send: (authorization: string) => TE.TaskEither<BaqlReason, HttpResponse>,
      signal?: AbortSignal,
    ): TE.TaskEither<BaqlReason, HttpResponse> =>
    async () => {
      const first = await token(signal)();
      if (E.isLeft(first)) return first;
      const res = await send(`Bearer ${first.right}`)();
      if (E.isLeft(res) || !isInvalidToken(res.right)) return res;
      // The token was refused: refresh once (joining any refresh already running) and retry.
      const current = cache.get(key);
      let next: E.Either<BaqlReason, string>;
      if (
        current !== undefined &&
        current.accessToken !== first.right &&
        now() < current.expiresAt
      ) {
        next = E.right(current.accessToken);
      } else {
        const fresh = await fetchEntry(
          current?.accessToken === first.right ? current : undefined,
          signal,
        );
        next = E.map((e: TokenEntry) => e.accessToken)(fresh);
      }
      if (E.isLeft(next)) return next;
      return send(`Bearer ${next.right}`)();
    };

  const revokeOne = async (
    tokenValue: string,
    signal?: AbortSignal,
  ): Promise<E.Either<BaqlReason, void>> => {
    const sent = await options.transport.send({
      method: 'DELETE',
      path: '/oauth2/v1/revoke',
      headers: {
        Authorization: basic,
        'Content-Type': 'application/x-www-form-urlencoded',
        institutionId: options.institutionId,
      },
      body: form({ token: tokenValue }),
      ...(signal === undefined ? {} : { signal }),
    })();
    if (E.isLeft(sent)) return sent;
    if (sent.right.status !== 204 && sent.right.status !== 200)
      return E.left(authError(sent.right, `revoke answered HTTP ${sent.right.status}`));
    stats.revokes += 1;
    return E.right(undefined);
  };

  const revoke =
    (signal?: AbortSignal): TE.TaskEither<BaqlReason, void> =>
    async () => {
      const entry = cache.get(key);
      cache.delete(key);
      if (entry === undefined) return E.right(undefined);
      if (entry.refreshToken !== undefined) {
        const r = await revokeOne(entry.refreshToken, signal);
        if (E.isLeft(r)) return r;
      }
      return revokeOne(entry.accessToken, signal);
    };

  return { key, stats, token, hook, revoke };
}

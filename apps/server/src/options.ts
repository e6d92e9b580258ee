/**
 * The options of {@link createServer} and their defaults.
 *
 * @module
 */
import type { FastifyBaseLogger } from 'fastify';
import type { LoggerOptions } from 'pino';
import type { ApiKeyConfig, KeyRights, RateLimit } from './api-keys.js';
import type { ServerClient } from './engine.js';

/** Limits of the service. Every one is enforced with a problem answer, never silently. */
export interface ServerLimits {
  /** Largest request body in bytes (413 above). Default 64 KiB. */
  readonly bodyBytes: number;
  /** Longest query text in characters (400 above). Default 8000. */
  readonly queryChars: number;
  /** Rows a query returns when the caller gives no `limit`. Default 1000. */
  readonly defaultRows: number;
  /** Largest `limit` a caller may ask for (422 above). Default 100 000. */
  readonly maxRows: number;
  /** Widest time window a query may cover, in days (422 above). Default 90. */
  readonly maxWindowDays: number;
  /** Most upstream searches one query may fan out to (422 above). Default 16. */
  readonly maxRequests: number;
  /** Longest a query may run, in milliseconds (504 after). Default 30 s. */
  readonly timeoutMs: number;
  /** Most queries running at once across all callers (503 above). Default 64. */
  readonly maxInFlight: number;
  /** The default per-key rate limit. Default 120 requests a minute. */
  readonly rateLimit: RateLimit;
  /** How long graceful shutdown waits for in-flight streams, in milliseconds. Default 10 s. */
  readonly shutdownMs: number;
}

/** The default limits. */
export const DEFAULT_LIMITS: ServerLimits = {
  bodyBytes: 64 * 1024,
  queryChars: 8000,
  defaultRows: 1000,
  maxRows: 100_000,
  maxWindowDays: 90,
  maxRequests: 16,
  timeoutMs: 30_000,
  maxInFlight: 64,
  rateLimit: { max: 120, windowMs: 60_000 },
  shutdownMs: 10_000,
};

/** A readiness check's answer. */
export interface ReadyState {
  readonly ready: boolean;
  /** Named checks, e.g. `{token: 'ok', upstream: 'ok'}`; values are short words, never secrets. */
  readonly checks: Readonly<Record<string, string>>;
}

/** What the server needs of a `@baql/runtime` session. */
export interface ServerSession {
  readonly client: ServerClient;
  readonly catalog?: unknown;
  readonly profileName?: string;
  close?(): Promise<void> | void;
}

/** Who a verified bearer token belongs to. */
export interface BearerCaller {
  readonly name: string;
  readonly rights?: Partial<KeyRights>;
  readonly rateLimit?: RateLimit;
}

/** Options of {@link createServer}. Give `session` or `client`. */
export interface ServerOptions {
  /** A session from `@baql/runtime`'s `openSession`; its client runs the queries. */
  readonly session?: ServerSession;
  /** A client to run the queries (when there is no session). */
  readonly client?: ServerClient;
  /** Close the session when the server closes (what `baql serve` does). Default false. */
  readonly closeSession?: boolean;
  /** The catalog for completion (default: the session's, then the client's). */
  readonly catalog?: unknown;
  /** API keys; `BAQL_API_KEYS` from `env` adds to these. With none the server refuses to start. */
  readonly apiKeys?: readonly ApiKeyConfig[];
  /** Where `BAQL_API_KEYS` and `BAQL_API_KEYS_FILE` are read. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Limits; each one defaults to {@link DEFAULT_LIMITS}. */
  readonly limits?: Partial<ServerLimits>;
  /** Directory of saved `.baql` query files for `/v1/queries`. */
  readonly queriesDir?: string;
  /** `false` (default) for no logs, `true` or pino options to log JSON lines, or a pino logger. */
  readonly logger?: boolean | LoggerOptions | FastifyBaseLogger;
  /** Readiness check for `/readyz` (default: the client's own check, else ready). */
  readonly readiness?: () => Promise<ReadyState>;
  /**
   * Verifies bearer tokens that are not API keys (e.g. JWTs of your identity provider): resolve
   * with the caller's name, rights (default: none) and rate limit, or `undefined` to refuse.
   * With a verifier, API keys become optional.
   */
  readonly verifyBearer?: (
    token: string,
  ) => Promise<BearerCaller | undefined> | BearerCaller | undefined;
  /** Prefix of metric names. Default `baql_`. */
  readonly metricsPrefix?: string;
}

/** Resolves the limits. */
export function resolveLimits(limits: Partial<ServerLimits> | undefined): ServerLimits {
  return { ...DEFAULT_LIMITS, ...limits };
}

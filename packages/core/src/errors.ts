/**
 * The tagged error union of the core and its human messages.
 *
 * Every failure is a value ({@link BaqlReason}); the plain async facade wraps it in one
 * {@link BaqlError}. {@link describeError} explains BAS_/CMN_ codes in words and never prints a
 * secret (every message goes through {@link redact}).
 *
 * @module
 */
import { redact } from './redact.js';

/** A diagnostic of a bad query (the shape every app shows; produced by `@baql/query`). */
export interface DiagnosticLike {
  readonly severity: string;
  readonly code: string;
  readonly message: string;
  readonly span?: unknown;
  readonly hints?: readonly string[];
}

/** Authentication failed: the token endpoint refused the credentials, or a refresh failed. */
export interface AuthError {
  readonly _tag: 'AuthError';
  readonly message: string;
  readonly status?: number;
  readonly code?: string;
  readonly transactionId?: string;
}
/** The API answered with an error status (its body's `code` is a `BAS_…` or `CMN_…` code). */
export interface HttpError {
  readonly _tag: 'HttpError';
  readonly status: number;
  readonly code?: string;
  readonly message: string;
  readonly transactionId: string;
  readonly method?: string;
  readonly path?: string;
}
/** A body did not match the contract; `paths` name where (`bankingActivities[3].amount: …`). */
export interface DecodeError {
  readonly _tag: 'DecodeError';
  readonly what: string;
  readonly paths: readonly string[];
  readonly transactionId?: string;
}
/** The query text did not compile. */
export interface PlanError {
  readonly _tag: 'PlanError';
  readonly diagnostics: readonly DiagnosticLike[];
}
/** A request or the whole query took longer than allowed. */
export interface Timeout {
  readonly _tag: 'Timeout';
  readonly scope: 'request' | 'query';
  readonly ms: number;
  readonly transactionId?: string;
}
/** The caller aborted (its `AbortSignal` fired). */
export interface Aborted {
  readonly _tag: 'Aborted';
}
/** The connection failed (reset, refused, DNS) after every allowed retry. */
export interface NetworkError {
  readonly _tag: 'NetworkError';
  readonly message: string;
  readonly code?: string;
  readonly transactionId?: string;
}
/** The configuration (file, profile, base URL, secrets, plugins) is unusable. */
export interface ConfigError {
  readonly _tag: 'ConfigError';
  readonly message: string;
}

/**
 * The local disk failed a large `sort` that spills to temporary files: the private temp
 * directory could not be created (`op: 'create'`), a run could not be written (`'write'`, e.g.
 * `ENOSPC`) or read back (`'read'`). `dir` is the directory the temp directory is made in.
 */
export interface StorageError {
  readonly _tag: 'StorageError';
  readonly op: 'create' | 'write' | 'read';
  readonly dir: string;
  readonly message: string;
  /** The system error code (`ENOSPC`, `EACCES`, `ENOTDIR`, …), when there is one. */
  readonly code?: string;
}

/** Every way a core operation can fail. Discriminated by `_tag`. */
export type BaqlReason =
  | AuthError
  | HttpError
  | DecodeError
  | PlanError
  | Timeout
  | Aborted
  | NetworkError
  | ConfigError
  | StorageError;

/** What each Banking Activity API (`BAS_…`) code means, in words a user can act on. */
export const BAS_CODES: Readonly<Record<string, string>> = {
  BAS_10001: 'the start time must be earlier than the end time',
  BAS_10002: 'the start time is older than the API keeps activity (about 90 days back)',
  BAS_10003: 'the activity store could not be reached (a server-side problem; retry later)',
  BAS_10004: 'the activity store could not read the rows (a server-side problem; retry later)',
  BAS_10005: 'the request was invalid: the server could not read its arguments',
  BAS_10006: 'the request body could not be read as JSON',
  BAS_10007:
    'this deployment does not support notEqual or like filters; rewrite the condition without != or wildcards',
  BAS_10008: 'a sub-filter must use a different condition (and/or) than the top-level filters',
  BAS_10009: 'invalid userType (use retail or business)',
  BAS_10010: 'invalid userIdType (use loginId or memberId)',
  BAS_10011: 'userIdType is required when userId is given',
  BAS_10012: 'invalid eventType (use user or system)',
  BAS_10021: 'the activity store rejected the query as invalid',
  BAS_10022: 'the activity store found an unexpectedly empty row key',
  BAS_10101: 'no authentication was provided with the request',
  BAS_10102: 'the access token is invalid or expired',
  BAS_10103:
    'the token does not authorize this request (is the banking-activities:read scope granted?)',
  BAS_10104: 'the access token (JWT) is invalid',
  BAS_10105: 'unauthorized access',
  BAS_10201:
    'the request contains non-printable characters (use printable ASCII in ids, filters and attribute names)',
  BAS_10202: 'the transactionId header is too long',
  BAS_10203: 'one or more request headers are invalid',
  BAS_10204: 'the request body is invalid',
  BAS_10205: 'one or more request header values are too long',
  BAS_10206: 'the page token is invalid (it must be sent back unchanged with the same criteria)',
  BAS_10207: 'the HTTP method is not allowed for this endpoint',
  BAS_99999: 'the Banking Activity API had an internal error (retry later)',
};

/** What each gateway / Authentication API (`CMN_…`) code means. */
export const CMN_CODES: Readonly<Record<string, string>> = {
  CMN_90000: 'the authentication service had an internal error (retry later)',
  CMN_90001: 'the client is not authorized for this resource, or the gateway quota was exceeded',
  CMN_90002: 'the gateway spike limit was exceeded (too many requests at once; baql backs off)',
  CMN_90003: 'the gateway spike limit was exceeded (too many requests at once; baql backs off)',
  CMN_90004: 'invalid client credentials (check the client id and secret)',
  CMN_90005: 'the institutionId header (or institution user id) is invalid',
  CMN_90006: 'not authorized to access this resource',
  CMN_90007: 'invalid grant type',
  CMN_90008: 'the transactionId header is invalid',
  CMN_90009: 'access is blocked for this client',
  CMN_90010: 'a request header is invalid',
  CMN_90011: 'the token request is invalid',
  CMN_90012: 'the token request is invalid (are the requested scopes allowed for this app?)',
  CMN_90013: 'the username is invalid',
  CMN_90014: 'the password is invalid',
  CMN_90015: 'invalid user credentials (check the username and password)',
  CMN_90016: 'the token or user is invalid',
  CMN_90017: 'the request contains non-printable characters',
  CMN_90018: 'the token is invalid',
  CMN_90019: 'the server could not create a token',
  CMN_90020: 'an app cannot authorize itself',
  CMN_90021: 'invalid client configuration',
};

/** The human explanation of a `BAS_…`/`CMN_…` code, if known. */
export function explainCode(code: string | undefined): string | undefined {
  if (code === undefined) return undefined;
  return BAS_CODES[code] ?? CMN_CODES[code];
}

const STORAGE_OPS = { create: 'create', write: 'write', read: 'read back' } as const;

const trace = (transactionId: string | undefined): string =>
  transactionId === undefined ? '' : ` (transactionId ${transactionId})`;

/**
 * A one-paragraph human description of a failure. Explains BAS_/CMN_ codes, names the
 * transactionId so support can trace the call, and never contains a secret.
 */
export function describeError(reason: BaqlReason): string {
  return redact(describeRaw(reason));
}

function describeRaw(reason: BaqlReason): string {
  switch (reason._tag) {
    case 'AuthError': {
      const why = explainCode(reason.code);
      const code = reason.code === undefined ? '' : ` ${reason.code}`;
      return `authentication failed${code}: ${why ?? reason.message}${trace(reason.transactionId)}`;
    }
    case 'HttpError': {
      const why = explainCode(reason.code);
      const code = reason.code === undefined ? '' : ` ${reason.code}`;
      const where =
        reason.path === undefined ? '' : ` on ${reason.method ?? 'POST'} ${reason.path}`;
      const detail = why === undefined ? reason.message : `${why} (server said: ${reason.message})`;
      return `HTTP ${reason.status}${code}${where}: ${detail}${trace(reason.transactionId)}`;
    }
    case 'DecodeError':
      return `unexpected ${reason.what} from the API: ${reason.paths.slice(0, 5).join('; ')}${
        reason.paths.length > 5 ? `; and ${reason.paths.length - 5} more` : ''
      }${trace(reason.transactionId)}`;
    case 'PlanError':
      return reason.diagnostics.length === 0
        ? 'the query did not compile'
        : reason.diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n');
    case 'Timeout':
      return reason.scope === 'query'
        ? `the query took longer than ${reason.ms} ms and was stopped`
        : `a request took longer than ${reason.ms} ms${trace(reason.transactionId)}`;
    case 'Aborted':
      return 'the query was cancelled';
    case 'NetworkError':
      return `network error${reason.code === undefined ? '' : ` ${reason.code}`}: ${reason.message}${trace(reason.transactionId)}`;
    case 'ConfigError':
      return `configuration error: ${reason.message}`;
    case 'StorageError':
      return `a large sort could not ${STORAGE_OPS[reason.op]} its temporary files in ${reason.dir}${
        reason.code === undefined ? '' : ` (${reason.code})`
      }: ${reason.message}; set sortTempDir to a writable directory with free space, or raise sortMemoryRows`;
  }
}

/**
 * The single error the plain async facade throws. `reason` is the tagged value; `message` is
 * {@link describeError} of it (no secrets, no stack trace needed to understand it).
 */
export class BaqlError extends Error {
  /** The tagged failure. */
  readonly reason: BaqlReason;
  constructor(reason: BaqlReason) {
    super(describeError(reason));
    this.name = 'BaqlError';
    this.reason = reason;
  }
}

/** Whether `value` is a {@link BaqlError}. */
export function isBaqlError(value: unknown): value is BaqlError {
  return value instanceof BaqlError;
}

/** Constructors of the tagged reasons (so call sites stay short). */
export const reasons = {
  aborted: (): Aborted => ({ _tag: 'Aborted' }),
  config: (message: string): ConfigError => ({ _tag: 'ConfigError', message: redact(message) }),
  plan: (diagnostics: readonly DiagnosticLike[]): PlanError => ({ _tag: 'PlanError', diagnostics }),
  timeout: (scope: 'request' | 'query', ms: number, transactionId?: string): Timeout =>
    transactionId === undefined
      ? { _tag: 'Timeout', scope, ms }
      : { _tag: 'Timeout', scope, ms, transactionId },
};

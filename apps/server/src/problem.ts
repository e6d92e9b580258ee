/**
 * RFC 9457 problem details: the one error shape of every failure path of the server.
 *
 * Each problem `type` is a relative URI into the docs page (`/docs#problem-<slug>`), so a caller
 * can dereference it. Extension members: `code` (ours), `requestId`, and per kind `errors`
 * (query diagnostics), `upstreamCode` / `transactionId` (upstream failures), `retryAfter`.
 *
 * @module
 */

/** The media type of every error answer. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The kinds of problem the server answers with, by slug. */
export const PROBLEM_KINDS = {
  'invalid-request': { status: 400, title: 'The request is invalid' },
  'malformed-body': { status: 400, title: 'The request body is not valid JSON' },
  'bad-query': { status: 400, title: 'The query has errors' },
  'unknown-parameter': { status: 400, title: 'The saved query parameters are invalid' },
  unauthenticated: { status: 401, title: 'An API key is required' },
  forbidden: { status: 403, title: 'This API key may not do that' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'The route does not allow this method' },
  'not-acceptable': { status: 406, title: 'None of the accepted media types can be produced' },
  'request-timeout': { status: 408, title: 'The request was not received in time' },
  'body-too-large': { status: 413, title: 'The request body is too large' },
  'uri-too-long': { status: 414, title: 'The request URL is too long' },
  'unsupported-media-type': { status: 415, title: 'The request body must be application/json' },
  'headers-too-large': { status: 431, title: 'The request line and headers are too large' },
  'limit-exceeded': { status: 422, title: 'The query exceeds a limit of this service' },
  'upstream-rejected': { status: 422, title: 'The activity API rejected the request' },
  'rate-limited': { status: 429, title: 'Too many requests for this API key' },
  'upstream-quota': { status: 429, title: 'The activity API quota is exhausted' },
  internal: { status: 500, title: 'Internal server error' },
  'upstream-failed': { status: 502, title: 'The activity API failed' },
  'upstream-auth': { status: 502, title: 'The service could not authenticate to the activity API' },
  'upstream-unreachable': { status: 502, title: 'The activity API is unreachable' },
  'upstream-bad-response': { status: 502, title: 'The activity API answered something unexpected' },
  'upstream-spike': { status: 503, title: 'The activity API is throttling requests' },
  unavailable: { status: 503, title: 'The service is not available' },
  'query-timeout': { status: 504, title: 'The query took longer than allowed' },
} as const satisfies Record<string, { readonly status: number; readonly title: string }>;

/** A problem slug. */
export type ProblemKind = keyof typeof PROBLEM_KINDS;

/** An RFC 9457 problem document with baql's extension members. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly code: ProblemKind;
  readonly requestId?: string;
  readonly errors?: readonly unknown[];
  readonly upstreamCode?: string;
  readonly upstreamStatus?: number;
  readonly transactionId?: string;
  readonly retryAfter?: number;
  readonly limit?: string;
}

/** Extension members a thrower may set. */
export type ProblemExtras = Partial<
  Pick<
    Problem,
    'errors' | 'upstreamCode' | 'upstreamStatus' | 'transactionId' | 'retryAfter' | 'limit'
  >
>;

/** Builds the problem document of `kind`. */
export function problem(kind: ProblemKind, detail?: string, extras: ProblemExtras = {}): Problem {
  const { status, title } = PROBLEM_KINDS[kind];
  return {
    type: `/docs#problem-${kind}`,
    title,
    status,
    ...(detail === undefined ? {} : { detail }),
    code: kind,
    ...extras,
  };
}

/** An exception that carries a problem; thrown inside handlers, answered by the error handler. */
export class ProblemError extends Error {
  /** The problem to answer with. */
  readonly problem: Problem;
  constructor(kind: ProblemKind, detail?: string, extras: ProblemExtras = {}) {
    super(detail ?? PROBLEM_KINDS[kind].title);
    this.name = 'ProblemError';
    this.problem = problem(kind, detail, extras);
  }
}

/**
 * The status logs and metrics give a request whose client went away before its answer ended
 * (nginx's "client closed request"); nothing is sent, the client is gone.
 */
export const CLIENT_CLOSED_STATUS = 499;

/**
 * Thrown (and used as the abort reason of a query) when the client disconnected before its
 * answer: logged as a client disconnect and counted as `client-closed`, never as a server failure.
 */
export class ClientClosedError extends Error {
  constructor() {
    super('client disconnected');
    this.name = 'ClientClosedError';
  }
}

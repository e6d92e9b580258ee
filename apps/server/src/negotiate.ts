/**
 * Content negotiation of the answers (RFC 9110 §12.5.1) with `negotiator`: q-values, wildcards
 * and `q=0` ("not acceptable") count. No `Accept` header (or an empty one) accepts anything; an
 * `Accept` that allows none of the route's media types is a 406 `not-acceptable` problem.
 * Problem documents themselves are sent whatever `Accept` says (RFC 9110 allows it).
 *
 * @module
 */
import Negotiator from 'negotiator';
import type { FastifyRequest } from 'fastify';
import { ProblemError } from './problem.js';
import { NDJSON } from './schemas.js';

/** The JSON media type. */
export const JSON_TYPE = 'application/json';

/** What a query answers: JSON, or NDJSON (`application/jsonl` is taken as its alias). */
const RESULT_TYPES = [JSON_TYPE, NDJSON, 'application/jsonl'] as const;

/**
 * The media type of `offered` (in the server's order of preference) the request's `Accept`
 * prefers; throws a 406 problem when it accepts none of them.
 */
export function negotiate(request: FastifyRequest, offered: readonly string[]): string {
  const accept = request.headers.accept;
  if (accept === undefined || accept.trim() === '') return offered[0] as string;
  const chosen = new Negotiator({ headers: { accept } }).mediaType(offered);
  if (chosen === undefined) {
    throw new ProblemError(
      'not-acceptable',
      `This route answers ${offered.filter((t) => t !== 'application/jsonl').join(' or ')}; the Accept header allows none of them.`,
    );
  }
  return chosen;
}

/** Refuses (406) a request whose `Accept` does not allow `application/json`. */
export function acceptJson(request: FastifyRequest): void {
  negotiate(request, [JSON_TYPE]);
}

/**
 * Whether a query answers NDJSON: the body's `format` wins over `Accept`; otherwise `Accept`
 * is negotiated (406 when it allows neither JSON nor NDJSON).
 */
export function wantsNdjson(
  request: FastifyRequest,
  format: 'json' | 'ndjson' | undefined,
): boolean {
  if (format !== undefined) return format === 'ndjson';
  return negotiate(request, RESULT_TYPES) !== JSON_TYPE;
}

/**
 * Turns anything thrown on a request path into a {@link Problem}: our own problems, baql client
 * errors (by their tagged `reason`), Fastify's request errors, and the rest as a bare 500 that
 * never carries a message, a stack or a secret.
 *
 * @module
 */
import { problem, ProblemError, type Problem } from './problem.js';

/** The tagged reasons of a `BaqlError` the server distinguishes (see docs/architecture.md). */
interface ReasonLike {
  readonly _tag: string;
  readonly status?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly transactionId?: unknown;
  readonly diagnostics?: unknown;
  readonly retryAfter?: unknown;
  readonly retryAfterMs?: unknown;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

/** The `reason` of a baql client error, if `error` is one. */
export function reasonOf(error: unknown): ReasonLike | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const reason = (error as { reason?: unknown }).reason;
  if (
    typeof reason === 'object' &&
    reason !== null &&
    typeof (reason as { _tag?: unknown })._tag === 'string'
  ) {
    return reason as ReasonLike;
  }
  return undefined;
}

/** Seconds to wait after an upstream quota or spike error when the upstream does not say. */
export const DEFAULT_RETRY_AFTER = { quota: 60, spike: 2 } as const;

/** Whether an upstream failure is a quota violation, a spike arrest, or neither. */
export function throttleKind(
  code: string | undefined,
  message: string | undefined,
  status: number | undefined,
): 'quota' | 'spike' | undefined {
  const text = message ?? '';
  if (/quota/i.test(text)) return 'quota';
  if (/spike/i.test(text)) return 'spike';
  if (status === 429) return 'quota';
  // The CMN numbering differs between API versions (api-notes §2.8): 90002 is a spike arrest in
  // one and a quota violation in the other; 90003 is a spike arrest. Ambiguity errs towards quota.
  if (status === undefined || status >= 500) {
    if (code === 'CMN_90002') return 'quota';
    if (code === 'CMN_90003') return 'spike';
  }
  return undefined;
}

/** Describes a reason for humans, through the client's own `describeError` when one is given. */
export type Describe = (reason: ReasonLike) => string | undefined;

function fromReason(reason: ReasonLike, describe: Describe | undefined): Problem {
  let detail: string | undefined;
  try {
    detail = describe?.(reason);
  } catch {
    detail = undefined;
  }
  const upstreamCode = str(reason.code);
  const transactionId = str(reason.transactionId);
  const upstreamStatus = num(reason.status);
  const upstream = {
    ...(upstreamCode === undefined ? {} : { upstreamCode }),
    ...(upstreamStatus === undefined ? {} : { upstreamStatus }),
    ...(transactionId === undefined ? {} : { transactionId }),
  };
  switch (reason._tag) {
    case 'PlanError': {
      const diagnostics = Array.isArray(reason.diagnostics) ? reason.diagnostics : [];
      const first = diagnostics[0] as { message?: unknown } | undefined;
      return problem('bad-query', detail ?? str(first?.message) ?? 'The query has errors.', {
        errors: diagnostics,
      });
    }
    case 'HttpError': {
      const kind = throttleKind(upstreamCode, str(reason.message), upstreamStatus);
      const retryAfterSeconds =
        num(reason.retryAfter) ??
        (num(reason.retryAfterMs) === undefined
          ? undefined
          : Math.ceil((num(reason.retryAfterMs) ?? 0) / 1000));
      if (kind !== undefined) {
        return problem(kind === 'quota' ? 'upstream-quota' : 'upstream-spike', detail, {
          ...upstream,
          retryAfter: retryAfterSeconds ?? DEFAULT_RETRY_AFTER[kind],
        });
      }
      if (upstreamStatus === 401 || upstreamStatus === 403)
        return problem('upstream-auth', detail, upstream);
      if (upstreamStatus !== undefined && upstreamStatus >= 400 && upstreamStatus < 500) {
        return problem('upstream-rejected', detail, upstream);
      }
      return problem('upstream-failed', detail, upstream);
    }
    case 'AuthError':
      return problem('upstream-auth', detail, upstream);
    case 'DecodeError':
      return problem('upstream-bad-response', detail, upstream);
    case 'NetworkError':
      return problem('upstream-unreachable', detail, upstream);
    case 'Timeout':
      return problem(
        'query-timeout',
        detail ?? 'The query did not finish within the time limit.',
        upstream,
      );
    case 'Aborted':
      return problem('unavailable', detail ?? 'The query was cancelled.', upstream);
    default:
      return problem('internal');
  }
}

/** The shape of a Fastify request error. */
interface FastifyErrorLike {
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly validation?: readonly {
    instancePath?: string;
    message?: string;
    params?: unknown;
    keyword?: string;
  }[];
  readonly validationContext?: unknown;
}

function fromFastify(error: FastifyErrorLike): Problem | undefined {
  if (Array.isArray(error.validation)) {
    const where = typeof error.validationContext === 'string' ? error.validationContext : 'body';
    const errors = error.validation.map((v) => ({
      location: where,
      path: v.instancePath === '' || v.instancePath === undefined ? '/' : v.instancePath,
      message: typeof v.message === 'string' ? v.message : 'is invalid',
      ...(v.keyword === 'additionalProperties' && typeof v.params === 'object' && v.params !== null
        ? { property: (v.params as { additionalProperty?: unknown }).additionalProperty }
        : {}),
    }));
    const first = errors[0];
    return problem(
      'invalid-request',
      first === undefined
        ? 'The request is invalid.'
        : `${where}${first.path === '/' ? '' : first.path} ${first.message}.`,
      { errors },
    );
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem('body-too-large', 'The request body exceeds the size limit of this service.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problem('unsupported-media-type', 'Send the request body as application/json.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem('malformed-body', 'The request body must be one JSON object.');
    default:
      break;
  }
  const status = num(error.statusCode);
  if (status !== undefined && status >= 400 && status < 500) {
    if (status === 404) return problem('not-found');
    if (status === 413) return problem('body-too-large');
    if (status === 415) return problem('unsupported-media-type');
    return problem('invalid-request');
  }
  return undefined;
}

/** Maps a thrown value to the problem to answer with. */
export function toProblem(error: unknown, describe?: Describe): Problem {
  if (error instanceof ProblemError) return error.problem;
  const reason = reasonOf(error);
  if (reason !== undefined) return fromReason(reason, describe);
  if (error instanceof SyntaxError)
    return problem('malformed-body', 'The request body must be one JSON object.');
  if (typeof error === 'object' && error !== null) {
    const mapped = fromFastify(error as FastifyErrorLike);
    if (mapped !== undefined) return mapped;
  }
  return problem('internal');
}

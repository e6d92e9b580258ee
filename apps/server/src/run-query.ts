/**
 * Running one query for a request: compile, enforce the limits, then answer JSON or stream NDJSON
 * page by page. A client that disconnects aborts the upstream paging; the time limit aborts it too.
 *
 * @module
 */
import { Readable } from 'node:stream';
import { abortable } from '@baql/core';
import { isBlankQuery, type ParamValue } from '@baql/query';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerPlan, ServerQueryOptions, ServerQueryStream, ServerSummary } from './engine.js';
import { toProblem } from './map-error.js';
import { PlanCache } from './plan-cache.js';
import { wantsNdjson } from './negotiate.js';
import { ClientClosedError, ProblemError, type Problem } from './problem.js';
import { NDJSON } from './schemas.js';
import type { ServerState } from './state.js';
import { upstreamContext, type UpstreamContext } from './upstream.js';

const contexts = new WeakMap<FastifyRequest, UpstreamContext>();

/** Runs `fn` in the upstream context of `request` (created on first use). */
export function inRequestContext<T>(state: ServerState, request: FastifyRequest, fn: () => T): T {
  let ctx = contexts.get(request);
  if (ctx === undefined) {
    ctx = {
      requestId: request.id,
      transactionId: request.baql.transactionId,
      metrics: state.metrics,
      log: request.log,
      calls: 0,
    };
    contexts.set(request, ctx);
  }
  return upstreamContext.run(ctx, fn);
}

/** One query to run. */
export interface QueryJob {
  readonly text: string;
  readonly params: Readonly<Record<string, ParamValue>> | undefined;
  readonly limit: number | undefined;
  readonly format: 'json' | 'ndjson' | undefined;
  /** Metrics label: `json`, `ndjson` or `saved`. */
  readonly mode: 'query' | 'saved';
}

const DAY_MS = 86_400_000;

/**
 * Refuses query text of nothing but blanks and `#` comments (it would run as the empty query,
 * every event of the default window) with the same 400 as an empty `query`.
 */
export function requireQueryText(text: string, field = 'query'): void {
  if (!isBlankQuery(text)) return;
  const message = 'must hold a query, not only blanks and comments';
  throw new ProblemError('invalid-request', `body/${field} ${message}.`, {
    errors: [{ location: 'body', path: `/${field}`, message }],
  });
}

function optionsOf(
  job: QueryJob,
  _request: FastifyRequest,
  extra: Partial<ServerQueryOptions>,
): ServerQueryOptions {
  return {
    ...(job.params === undefined ? {} : { params: job.params }),
    ...extra,
  };
}

const windowSpans = new WeakMap<object, number>();

/** How long a plan's window is, in ms (NaN when unreadable), once per plan object: plans are cached. */
function windowSpanMs(plan: {
  readonly window: { readonly start: string; readonly end: string };
}): number {
  let span = windowSpans.get(plan);
  if (span === undefined) {
    span = Date.parse(plan.window.end) - Date.parse(plan.window.start);
    windowSpans.set(plan, span);
  }
  return span;
}

/** Compiles `job` and refuses it when it breaks a limit. */
export async function compileChecked(
  state: ServerState,
  request: FastifyRequest,
  job: QueryJob,
): Promise<ServerPlan> {
  const plan = state.planCache.get(PlanCache.key(job.text, job.params), () =>
    inRequestContext(state, request, () =>
      state.client.compile(job.text, optionsOf(job, request, {})),
    ),
  );
  const { limits } = state;
  const spanMs = windowSpanMs(plan);
  if (spanMs > limits.maxWindowDays * DAY_MS) {
    throw new ProblemError(
      'limit-exceeded',
      `The query covers ${Math.ceil(spanMs / DAY_MS)} days; this service allows at most ${limits.maxWindowDays}.`,
      { limit: 'maxWindowDays' },
    );
  }
  if (plan.requests.length > limits.maxRequests) {
    throw new ProblemError(
      'limit-exceeded',
      `The query needs ${plan.requests.length} upstream searches; this service allows at most ${limits.maxRequests}. Narrow the query.`,
      { limit: 'maxRequests' },
    );
  }
  return plan;
}

function rowLimit(state: ServerState, job: QueryJob): number {
  const { limits } = state;
  if (job.limit !== undefined && job.limit > limits.maxRows) {
    throw new ProblemError(
      'limit-exceeded',
      `limit ${job.limit} is above this service's maximum of ${limits.maxRows} rows.`,
      {
        limit: 'maxRows',
      },
    );
  }
  return job.limit ?? limits.defaultRows;
}

/** A query's summary as answered: `truncated` says whether the row limit cut the result. */
type TruncatableSummary = ServerSummary & { readonly truncated: boolean };

interface Running {
  readonly controller: AbortController;
  readonly timedOut: () => boolean;
  readonly done: () => void;
}

function begin(state: ServerState, reply: FastifyReply, mode: string): Running {
  if (state.draining)
    throw new ProblemError('unavailable', 'The service is shutting down.', { retryAfter: 1 });
  if (state.inFlight.size >= state.limits.maxInFlight) {
    throw new ProblemError(
      'unavailable',
      'The service is running as many queries as it allows; retry shortly.',
      { retryAfter: 1 },
    );
  }
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error('timeout'));
  }, state.limits.timeoutMs);
  timer.unref();
  const onClose = () => {
    if (!reply.raw.writableFinished) controller.abort(new ClientClosedError());
  };
  reply.raw.once('close', onClose);
  state.inFlight.add(controller);
  state.metrics.queriesInFlight.inc({ mode });
  let finished = false;
  return {
    controller,
    timedOut: () => timedOut,
    done: () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      reply.raw.off('close', onClose);
      state.inFlight.delete(controller);
      state.metrics.queriesInFlight.dec({ mode });
    },
  };
}

function recordSummary(
  state: ServerState,
  summary: ServerSummary | undefined,
  mode: string,
  rows: number,
): void {
  state.metrics.queryRows.inc({ mode }, rows);
  if (summary === undefined) return;
  if (typeof summary.pages === 'number') state.metrics.queryPages.inc(summary.pages);
  if (typeof summary.retries === 'number' && summary.retries > 0) {
    state.metrics.upstreamRetries.inc({ operation: 'search' }, summary.retries);
  }
}

/** Whether the query was aborted because its client disconnected. */
function clientLeft(running: Running): boolean {
  return running.controller.signal.reason instanceof ClientClosedError;
}

function failure(state: ServerState, running: Running, error: unknown): unknown {
  if (clientLeft(running)) return running.controller.signal.reason;
  if (running.timedOut()) {
    return new ProblemError(
      'query-timeout',
      `The query did not finish within ${state.limits.timeoutMs} ms.`,
      { limit: 'timeoutMs' },
    );
  }
  if (running.controller.signal.aborted && state.draining) {
    return new ProblemError('unavailable', 'The service is shutting down.', { retryAfter: 1 });
  }
  return error;
}

/** Runs `job` and answers the request (JSON, or NDJSON streamed page by page). */
export async function runQuery(
  state: ServerState,
  request: FastifyRequest,
  reply: FastifyReply,
  job: QueryJob,
): Promise<unknown> {
  const limit = rowLimit(state, job);
  const ndjson = wantsNdjson(request, job.format);
  const mode = ndjson ? 'ndjson' : job.mode === 'saved' ? 'saved' : 'json';
  const plan = await compileChecked(state, request, job);
  const running = begin(state, reply, mode);
  // One row more than the limit is asked for: whether it comes says if the limit cut the
  // result (`summary.truncated`); it is never sent. Paging stops as soon as it arrives.
  const options = optionsOf(job, request, { limit: limit + 1, signal: running.controller.signal });
  if (!ndjson) {
    try {
      const result = await inRequestContext(state, request, () =>
        state.client.query(job.text, options),
      );
      const truncated = result.rows.length > limit;
      const rows = truncated ? result.rows.slice(0, limit) : result.rows;
      const summary: TruncatableSummary = { ...result.summary, rows: rows.length, truncated };
      recordSummary(state, summary, mode, rows.length);
      return {
        rows,
        ...(result.columns === undefined ? {} : { columns: result.columns }),
        ...(result.kind === undefined ? {} : { kind: result.kind }),
        summary,
        window: result.window,
      };
    } catch (error) {
      throw failure(state, running, error);
    } finally {
      running.done();
    }
  }
  // NDJSON: pull the first row before the status line goes out, so an immediate failure is still
  // an ordinary problem answer; later failures become a final `error` line.
  let stream: ServerQueryStream;
  let iterator: AsyncIterator<Readonly<Record<string, unknown>>>;
  let first: IteratorResult<Readonly<Record<string, unknown>>>;
  try {
    const started = inRequestContext(state, request, () => state.client.stream(job.text, options));
    stream = started;
    const it = inRequestContext(state, request, () => started[Symbol.asyncIterator]());
    iterator = it;
    first = await abortable(
      inRequestContext(state, request, () => it.next()),
      running.controller.signal,
    );
  } catch (error) {
    running.done();
    throw failure(state, running, error);
  }
  const summaryPromise = stream.summary;
  summaryPromise.catch(() => undefined);
  const requestId = request.id;
  const lines = async function* (): AsyncGenerator<string> {
    let rows = 0;
    try {
      yield `${JSON.stringify({ type: 'meta', requestId, window: plan.window })}\n`;
      let next = first;
      let batch = '';
      let truncated = false;
      while (next.done !== true) {
        if (rows === limit) {
          // The row past the limit: the limit cut the result. Stop the query here.
          truncated = true;
          break;
        }
        rows += 1;
        batch += `${JSON.stringify({ type: 'row', row: next.value })}\n`;
        if (batch.length >= 16_384) {
          yield batch;
          batch = '';
        }
        next = await abortable(
          inRequestContext(state, request, () => iterator.next()),
          running.controller.signal,
        );
      }
      if (batch !== '') yield batch;
      // Stopped early: returning the iterator settles the summary with what was produced.
      if (truncated)
        await abortable(
          Promise.resolve(iterator.return?.()).then(() => undefined),
          running.controller.signal,
        );
      const summary: TruncatableSummary = { ...(await summaryPromise), rows, truncated };
      recordSummary(state, summary, mode, rows);
      yield `${JSON.stringify({ type: 'summary', summary })}\n`;
    } catch (error) {
      recordSummary(state, undefined, mode, rows);
      // The client left: the request's completion logs and counts the disconnect.
      if (clientLeft(running)) return;
      const problem: Problem = {
        ...toProblem(failure(state, running, error), state.describe),
        requestId,
        instance: request.url,
      };
      state.metrics.queryErrors.inc({ kind: problem.code });
      request.log.warn(
        { problem: problem.code, upstreamCode: problem.upstreamCode },
        'query failed mid-stream',
      );
      yield `${JSON.stringify({ type: 'error', problem })}\n`;
    } finally {
      running.done();
      if (!running.controller.signal.aborted) running.controller.abort(new Error('stream ended'));
      void iterator.return?.()?.catch(() => undefined);
    }
  };
  reply.header('content-type', `${NDJSON}; charset=utf-8`);
  reply.header('cache-control', 'no-store');
  reply.header('x-accel-buffering', 'no');
  return reply.send(Readable.from(lines(), { objectMode: false }));
}

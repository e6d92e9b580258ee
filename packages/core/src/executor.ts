/**
 * The streaming executor: runs the requests of a plan and yields the matching records newest
 * first. Fan-out across requests under one concurrency limit, adaptive window slicing per
 * request, k-way merge, dedupe by guid, residual filter; progress events and counters for the
 * summary. Stopping early (break, limit reached) or aborting cancels every request in flight.
 * Memory is O(pageSize × concurrency).
 *
 * @module
 */
import { setMaxListeners } from 'node:events';
import type { BankingActivity, SearchCriteria } from '@baql/query';
import type { Auth } from './auth.js';
import { BaqlError, type BaqlReason } from './errors.js';
import type { Limiter } from './limiter.js';
import { dedupeChunks, mergeNewestFirst } from './merge.js';
import { createPageFetcher, type QueryCounters } from './pager.js';
import type { Row } from './records.js';
import { ScanFailure, ScanScheduler, scanRequest } from './scan.js';
import type { Transport } from './transport.js';

/** A progress event, emitted after every page. */
export interface ProgressEvent {
  readonly requestsDone: number;
  readonly requestsTotal: number;
  readonly pages: number;
  readonly records: number;
  readonly retries: number;
  readonly elapsedMs: number;
}

/** What the executor needs of a client. */
export interface ExecutorContext {
  readonly transport: Transport;
  readonly auth: Auth;
  readonly limiter: Limiter;
  readonly canonicalize: (record: BankingActivity) => BankingActivity;
}

/** Options of one execution. */
export interface ExecuteOptions {
  readonly pageSize: number;
  readonly concurrency: number;
  /** Adaptive window slicing (default true). */
  readonly slicing?: boolean;
  readonly signal?: AbortSignal;
  /** Stop the whole query after this long. */
  readonly timeoutMs?: number;
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Records that fail this are dropped (the plan's residual). */
  readonly residual?: (record: BankingActivity) => boolean;
  /**
   * The query needs at most this many records (a leading `limit`): without a residual, each
   * request asks for pages of at most what is still needed and stops paging once it has that
   * many. Ignored when there is a residual (any record may be filtered out, so full pages).
   */
  readonly stopAfter?: number;
}

/** A running execution: the records (in newest-first batches), plus live counters. */
export interface Execution {
  readonly batches: AsyncGenerator<readonly BankingActivity[], void, undefined>;
  readonly counters: Readonly<QueryCounters>;
  readonly startedAt: number;
  /** Elapsed ms so far (frozen when the records end). */
  elapsedMs(): number;
}

/**
 * The reason the executor aborts its requests with when a query ends by itself (done, stopped
 * early or failed): made once, because `abort()` without a reason builds a `DOMException` with a
 * stack on every query. Only requests still in flight see it, and they map any abort of their
 * signal to `Aborted` and are discarded, so it never reaches a caller. A caller's abort and the
 * query timeout abort before this, with their own reasons, and keep them.
 */
const QUERY_ENDED = new Error('the query ended; its requests still in flight are cancelled');

/** Starts executing `requests`. Nothing is sent until the records are iterated. */
export function execute(
  ctx: ExecutorContext,
  requests: readonly SearchCriteria[],
  options: ExecuteOptions,
): Execution {
  const counters: QueryCounters = {
    requests: requests.length,
    pages: 0,
    records: 0,
    retries: 0,
    bytes: 0,
  };
  const startedAt = performance.now();
  let endedAt: number | undefined;
  let done = 0;
  let total = requests.length;
  const elapsedMs = () => (endedAt ?? performance.now()) - startedAt;
  const progress = () =>
    options.onProgress?.({
      requestsDone: done,
      requestsTotal: total,
      pages: counters.pages,
      records: counters.records,
      retries: counters.retries,
      elapsedMs: elapsedMs(),
    });

  async function* run(): AsyncGenerator<readonly BankingActivity[], void, undefined> {
    const controller = new AbortController();
    // Every request in flight listens to the query's signal.
    setMaxListeners(0, controller.signal);
    let timedOut = false;
    const onAbort = () => controller.abort(options.signal?.reason);
    if (options.signal?.aborted) throw new BaqlError({ _tag: 'Aborted' });
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, options.timeoutMs);
    const fail = (reason: BaqlReason): never => {
      if (timedOut)
        throw new BaqlError({ _tag: 'Timeout', scope: 'query', ms: options.timeoutMs ?? 0 });
      if (options.signal?.aborted) throw new BaqlError({ _tag: 'Aborted' });
      throw new BaqlError(reason);
    };
    const fetchPage = createPageFetcher({ ...ctx, counters, onPage: progress });
    // One scheduler starts the requests of every source: only while fewer than the limiter's
    // (adaptive) limit are in flight, the newest window first, and with at most 3 × concurrency
    // pages prefetched ahead of the consumer across all sources (plus one head each): memory
    // O(pageSize × concurrency), and enough lookahead to keep every slot busy while the head waits.
    const lookahead = Math.max(1, 3 * options.concurrency);
    const scheduler = new ScanScheduler(lookahead, () => ctx.limiter.limit);
    const stopAfter =
      options.residual === undefined && options.stopAfter !== undefined
        ? Math.max(1, Math.floor(options.stopAfter))
        : undefined;
    const sources = requests.map((criteria) =>
      scanRequest(criteria, {
        fetchPage,
        signal: controller.signal,
        slicing: options.slicing ?? true,
        pageSize:
          stopAfter === undefined ? options.pageSize : Math.min(options.pageSize, stopAfter),
        ...(stopAfter === undefined ? {} : { stopAfter }),
        lookahead,
        scheduler,
        onRequests: (n) => {
          total += n;
          counters.requests += n;
        },
        onRequestDone: () => {
          done += 1;
        },
      }),
    );
    const chunks: AsyncIterable<readonly Row[]> =
      sources.length === 1
        ? dedupeChunks(sources[0] as AsyncIterable<readonly Row[]>)
        : mergeNewestFirst(sources);
    const residual = options.residual;
    try {
      for await (const chunk of chunks) {
        const out: BankingActivity[] = [];
        for (const row of chunk)
          if (residual === undefined || residual(row.record)) out.push(row.record);
        if (out.length > 0) yield out;
      }
    } catch (error) {
      if (error instanceof ScanFailure) fail(error.reason);
      if (error instanceof BaqlError) fail(error.reason);
      throw error;
    } finally {
      endedAt = performance.now();
      if (timer !== undefined) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      controller.abort(QUERY_ENDED);
      progress();
    }
  }
  return { batches: run(), counters, startedAt, elapsedMs };
}

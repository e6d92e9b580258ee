/**
 * Pages one request newest first, with adaptive window slicing.
 *
 * The first page of a request is fetched over its whole window. If more pages follow, the density
 * of that page (records per millisecond) estimates how many pages remain; when that is two or more,
 * the rest of the window is split into time slices of about one page each, which are fetched
 * concurrently (a sliding window of `lookahead` slices ahead of the consumer) and emitted in
 * order. A slice that turns out dense is split again the same way. Slices do not overlap (each
 * ends 1 ms before the previous one starts; timestamps have millisecond precision), and the first
 * slice of a split skips what the page already returned, so the rows are exactly those of the
 * unsliced request, in the same order. Memory is O(pageSize × lookahead).
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import type { SearchCriteria } from '@baql/query';
import type { BaqlReason } from './errors.js';
import type { PageFetcher } from './pager.js';
import { compareRows, type Row } from './records.js';

/** Options of {@link scanRequest}. */
export interface ScanOptions {
  readonly fetchPage: PageFetcher;
  readonly signal: AbortSignal;
  /** Whether to slice long windows (default true). */
  readonly slicing: boolean;
  /** Records per page asked for. */
  readonly pageSize: number;
  /** Slices fetched ahead of the consumer. */
  readonly lookahead: number;
  /**
   * Pages prefetched beyond each source's head, shared by every source of a query, so fan-out
   * does not multiply memory: a source starts a prefetch only while `used < max`.
   */
  readonly budget?: { used: number; readonly max: number };
  /**
   * This request's rows are needed only up to this many (a limit with no residual: the first n
   * rows of the merge come from the first n of each request). Paging stops there; no prefetch is
   * started once the rows in hand cover it.
   */
  readonly stopAfter?: number;
  /** Most slices one split creates (default 256). */
  readonly maxSlices?: number;
  /** Called when a split adds requests (slices). */
  readonly onRequests?: (added: number) => void;
  /** Called when a request (or slice) has returned its last page. */
  readonly onRequestDone?: () => void;
}

interface Task {
  readonly criteria: SearchCriteria;
  readonly startMs: number;
  readonly endMs: number;
  /** Rows at or before this key (newest-first order) were already emitted. */
  readonly after?: Pick<Row, 'ms' | 'guid'>;
  /** Whether this task may split (false once it continues with a page token). */
  readonly splittable: boolean;
  promise?: Promise<E.Either<BaqlReason, { rows: readonly Row[]; next: Task[] }>>;
  /** Whether this prefetch holds a unit of the shared budget. */
  counted?: boolean;
  /** Whether its follow-up tasks were already queued (when it finished ahead of the consumer). */
  expanded?: boolean;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Splits [start, end] (inclusive, ms) into `n` non-overlapping slices, newest first. */
export function splitWindow(startMs: number, endMs: number, n: number): [number, number][] {
  const span = endMs - startMs + 1;
  const pieces = Math.max(1, Math.min(n, span));
  const out: [number, number][] = [];
  let hi = endMs;
  for (let i = 1; i <= pieces; i += 1) {
    const lo = i === pieces ? startMs : endMs + 1 - Math.round((span * i) / pieces);
    out.push([lo, hi]);
    hi = lo - 1;
  }
  return out;
}

/** Pages one request, yielding chunks of rows newest first; fails with the first error. */
export async function* scanRequest(
  criteria: SearchCriteria,
  options: ScanOptions,
): AsyncGenerator<readonly Row[], void, undefined> {
  const { fetchPage, signal, pageSize } = options;
  const maxSlices = options.maxSlices ?? 256;
  const base: SearchCriteria = { ...criteria, pageSize };
  const stopAfter = options.stopAfter ?? Number.POSITIVE_INFINITY;
  /** Rows handed to the consumer so far. */
  let emitted = 0;
  const run = async (
    task: Task,
    urgent: boolean,
  ): Promise<E.Either<BaqlReason, { rows: readonly Row[]; next: Task[] }>> => {
    const page = await fetchPage(task.criteria, signal, urgent);
    if (E.isLeft(page)) return page;
    const after = task.after;
    const rows =
      after === undefined
        ? page.right.rows
        : page.right.rows.filter((r) => compareRows(r, after) > 0);
    const token = page.right.nextPageToken;
    // With the rows emitted so far (exact for the head), this page covers what is needed.
    if (token === undefined || emitted + rows.length >= stopAfter) {
      options.onRequestDone?.();
      return E.right({ rows, next: [] });
    }
    const last = page.right.rows[page.right.rows.length - 1];
    if (options.slicing && task.splittable && last !== undefined && Number.isFinite(last.ms)) {
      const covered = Math.max(1, task.endMs - last.ms + 1);
      const remaining = last.ms - task.startMs + 1;
      const estimate = (page.right.rows.length / covered) * remaining;
      // Aim at ¾ of a page per slice, so that most slices need exactly one request.
      const pieces = Math.min(maxSlices, Math.ceil(estimate / (pageSize * 0.75)), remaining);
      if (pieces >= 2) {
        const slices = splitWindow(task.startMs, last.ms, pieces);
        options.onRequests?.(slices.length);
        options.onRequestDone?.();
        const next = slices.map(([lo, hi], i): Task => {
          const c: SearchCriteria = { ...base, startTime: iso(lo), endTime: iso(hi) };
          const t: Task = { criteria: c, startMs: lo, endMs: hi, splittable: true };
          return i === 0 ? { ...t, after: last } : t;
        });
        return E.right({ rows, next });
      }
    }
    const cont: Task = {
      criteria: { ...task.criteria, nextPageToken: token },
      startMs: task.startMs,
      endMs: task.endMs,
      splittable: false,
      ...(after === undefined ? {} : { after }),
    };
    return E.right({ rows, next: [cont] });
  };

  const startMs = Date.parse(criteria.startTime);
  const endMs = Date.parse(criteria.endTime);
  const queue: Task[] = [
    {
      criteria: base,
      startMs,
      endMs,
      splittable: Number.isFinite(startMs) && Number.isFinite(endMs),
    },
  ];
  // Starts the first `lookahead` tasks of the queue (the sliding window of prefetches).
  const budget = options.budget;
  const startAhead = () => {
    const ahead = Math.min(queue.length, Math.max(1, options.lookahead));
    for (let i = 0; i < ahead; i += 1) {
      const t = queue[i] as Task;
      if (t.promise !== undefined) continue;
      // The head always runs (the merge needs every source's head); the rest within the budget.
      if (i > 0 && budget !== undefined) {
        if (budget.used >= budget.max) break;
        budget.used += 1;
        t.counted = true;
      }
      // The consumer waits for the head: its request goes before queued prefetches.
      t.promise = run(t, i === 0);
      if (i > 0)
        void t.promise.then(
          (r) => expand(t, r),
          () => undefined,
        );
    }
  };
  let stopped = false;
  // A prefetch that finished ahead of the consumer queues its follow-ups (sub-slices of a dense
  // slice, or its next page) right away, so they start now instead of when the consumer reaches
  // it: otherwise every dense slice is a sequential chain that idles the other slots.
  const expand = (
    t: Task,
    r: E.Either<BaqlReason, { rows: readonly Row[]; next: Task[] }>,
  ): void => {
    if (stopped || E.isLeft(r) || r.right.next.length === 0) return;
    const at = queue.indexOf(t);
    if (at < 0) return;
    queue.splice(at + 1, 0, ...r.right.next);
    t.expanded = true;
    startAhead();
  };
  const release = (t: Task) => {
    if (t.counted === true && budget !== undefined) {
      budget.used -= 1;
      t.counted = false;
    }
  };
  const mergeNextSparse = () => {
    const j = queue.findIndex((t) => t.promise === undefined);
    const a = queue[j];
    const b = queue[j + 1];
    if (j < 0 || a === undefined || b === undefined || b.promise !== undefined) return;
    if (!a.splittable || !b.splittable || a.after !== undefined || b.after !== undefined) return;
    if (a.criteria.nextPageToken !== undefined || b.criteria.nextPageToken !== undefined) return;
    if (b.endMs + 1 !== a.startMs) return;
    const merged: Task = {
      criteria: { ...base, startTime: iso(b.startMs), endTime: iso(a.endMs) },
      startMs: b.startMs,
      endMs: a.endMs,
      splittable: true,
    };
    queue.splice(j, 2, merged);
    options.onRequests?.(-1);
  };
  try {
    startAhead();
    while (queue.length > 0) {
      const head = queue.shift() as Task;
      if (head.promise === undefined) head.promise = run(head, true);
      const result = await (head.promise as Promise<
        E.Either<BaqlReason, { rows: readonly Row[]; next: Task[] }>
      >);
      release(head);
      if (E.isLeft(result)) throw new ScanFailure(result.left);
      emitted += result.right.rows.length;
      if (emitted >= stopAfter) {
        // Enough rows: no more pages (prefetches in flight are cancelled by the query's signal).
        if (result.right.rows.length > 0) yield result.right.rows;
        return;
      }
      if (head.expanded !== true) queue.unshift(...result.right.next);
      // A slice that came back less than half full says the estimate was too dense here: merge
      // the next two slices not yet started (the time nearby is likely as sparse), so fewer
      // requests are wasted. Coverage and order are unchanged.
      if (
        options.slicing &&
        result.right.next.length === 0 &&
        result.right.rows.length < pageSize / 2
      )
        mergeNextSparse();
      // Prefetch before handing the rows over, so paging overlaps with the consumer.
      startAhead();
      if (result.right.rows.length > 0) yield result.right.rows;
    }
  } finally {
    stopped = true;
    // Consumer stopped early or failed: prefetches still in flight are abandoned (the query's
    // AbortSignal cancels them); swallow their results so nothing is left unhandled.
    for (const t of queue) {
      release(t);
      void t.promise?.catch(() => undefined);
    }
  }
}

/** Carries a {@link BaqlReason} through an async generator. */
export class ScanFailure extends Error {
  constructor(readonly reason: BaqlReason) {
    super(reason._tag);
  }
}

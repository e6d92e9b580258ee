/**
 * Pages one request newest first, with adaptive window slicing.
 *
 * The first page of a request is fetched over its whole window. If more pages follow and the
 * rest of the window is expected to hold more than a page, that rest becomes a *region*: a window
 * not yet cut into slices. Slices are cut off the newest end of a region only when a slot is free
 * to fetch them, each sized to hold about {@link SLICE_PAGES} pages at the density observed so
 * far (every page of the request refines the estimate, not only the first), shrinking towards
 * {@link MIN_SLICE_PAGES} near the end of the region so that the last slots finish together. A
 * slice that comes back full continues with its page token (full pages, no part-filled request
 * wasted) unless its rest is expected to hold far more than planned (a burst), or more than a page
 * once no region is left to keep the other slots busy: then that rest becomes a region again, cut
 * at the updated density.
 *
 * Slices never overlap (each ends 1 ms before the next newer one starts; timestamps have
 * millisecond precision), and the first slice cut from a region skips what was already emitted at
 * its top millisecond, so the rows are exactly those of the unsliced request, in the same order.
 *
 * Requests are started by a {@link ScanScheduler} shared by every source of a query: a slot is
 * filled only while fewer than the limiter's limit are in flight (so a 429 that halves the limit
 * also halves what is started), with the task whose window is newest across all sources (the one
 * the merge needs first), within a budget of prefetched pages: memory is O(pageSize × budget).
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import type { SearchCriteria } from '@baql/query';
import type { BaqlReason } from './errors.js';
import type { PageFetcher } from './pager.js';
import { compareRows, type Row } from './records.js';

/**
 * A slice is sized to hold about this many pages at the estimated density: most take a page and
 * one continuation, so fewer requests end on a part-filled page than with one-page slices, while
 * chains stay short enough for the prefetch budget to keep every slot busy.
 */
export const SLICE_PAGES = 2;

/**
 * The smallest slice, in pages: near the end of a region slices shrink towards this (down from
 * {@link SLICE_PAGES}) so that every slot gets one and the last ones finish together.
 */
export const MIN_SLICE_PAGES = 0.75;

/**
 * The rest of a request's first full page is sliced when it is expected to hold more than this
 * many pages (a smaller rest is one more page with the token).
 */
export const SLICE_REST_ABOVE = 0.9;

/**
 * The rest of a slice's full page continues with the page token unless it is expected to hold
 * more than this many pages (the slice is far denser than planned, e.g. a burst): then it is
 * sliced again.
 */
export const RESLICE_REST_ABOVE = 2;

/** The order key of a row already handed to the consumer. */
type RowKey = Pick<Row, 'ms' | 'guid'>;

/** What a source offers its {@link ScanScheduler}. */
export interface ScanSource {
  /** Starts the consumer's head if it is not running yet. */
  startHead(): void;
  /** The newest time (ms) of the next request this source would prefetch, if any. */
  candidate(): number | undefined;
  /** Prefetches that request (takes one unit of the budget). */
  startNext(): void;
}

/**
 * Starts the requests of the sources of one query: at most `slots()` in flight (the consumer's
 * heads always run), at most `max` pages prefetched ahead of the consumer across all sources, and
 * the newest window first (the merge consumes newest first, so that is what it needs soonest).
 */
export class ScanScheduler {
  /** Prefetched pages held now (started and not yet consumed, heads excepted). */
  used = 0;
  /** Requests of this query in flight now (heads included). */
  inFlight = 0;
  /** The sources that may start a request. */
  readonly sources = new Set<ScanSource>();
  #pumping = false;
  /**
   * @param max - most pages prefetched across all sources (memory is O(pageSize × max)).
   * @param slots - how many requests may be in flight (the limiter's current limit).
   */
  constructor(
    readonly max: number,
    readonly slots: () => number,
  ) {}
  /** Starts requests while slots and budget allow, newest window first. */
  pump(): void {
    // A call from inside the loop (a start that settles at once) is folded into the loop.
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      for (const source of this.sources) source.startHead();
      while (this.used < Math.max(1, this.max) && this.inFlight < Math.max(1, this.slots())) {
        let best: ScanSource | undefined;
        let bestKey = Number.NEGATIVE_INFINITY;
        for (const source of this.sources) {
          const key = source.candidate();
          if (key !== undefined && (best === undefined || key > bestKey)) {
            best = source;
            bestKey = key;
          }
        }
        if (best === undefined) return;
        best.startNext();
      }
    } finally {
      this.#pumping = false;
    }
  }
}

/**
 * The width (ms) of the next slice cut off the newest end of a region spanning `span` ms: about
 * `target` records at `density` records per ms, at least `minWidth` and 1 ms; the whole region
 * when what would be left is expected to hold under a quarter of a slice (a tiny last request
 * would be wasted).
 */
export function sliceWidth(span: number, density: number, target: number, minWidth = 1): number {
  if (span <= 1) return Math.max(0, span);
  const want = density > 0 ? Math.ceil(target / density) : span;
  const width = Math.min(span, Math.max(1, Math.ceil(minWidth), want));
  return (span - width) * density < target / 4 ? span : width;
}

/** Options of {@link scanRequest}. */
export interface ScanOptions {
  readonly fetchPage: PageFetcher;
  readonly signal: AbortSignal;
  /** Whether to slice long windows (default true). */
  readonly slicing: boolean;
  /** Records per page asked for. */
  readonly pageSize: number;
  /** Most requests this source runs ahead of the consumer (at least 1). */
  readonly lookahead: number;
  /**
   * Starts the requests of every source of the query (budget, slots, newest first). Without one,
   * this source gets its own, with `lookahead` pages of budget and `lookahead` slots.
   */
  readonly scheduler?: ScanScheduler;
  /**
   * This request's rows are needed only up to this many (a limit with no residual: the first n
   * rows of the merge come from the first n of each request). Paging stops there; no prefetch is
   * started once the rows in hand and the pages in flight cover it.
   */
  readonly stopAfter?: number;
  /** Most slices one region is cut into (default 256). */
  readonly maxSlices?: number;
  /** Called when slicing adds requests (slices), or with a negative number to take back an estimate. */
  readonly onRequests?: (added: number) => void;
  /** Called when a request (or slice) has returned its last page. */
  readonly onRequestDone?: () => void;
}

/** One request (a page) of the scan. */
interface Task {
  readonly kind: 'task';
  readonly criteria: SearchCriteria;
  /** The slice's window, inclusive ms (not finite when the window cannot be sliced). */
  readonly lo: number;
  readonly hi: number;
  /** The newest ms this page may return (the window's top, or the previous page's last row). */
  readonly top: number;
  /** Rows at or before this key (newest-first order) were already emitted. */
  readonly after?: RowKey;
  /** Whether this page belongs to a slice cut from a region (not to the request's first pages). */
  readonly slice: boolean;
  promise?: Promise<Outcome>;
  /** Whether this prefetch holds a unit of the scheduler's budget. */
  counted?: boolean;
  /** Whether its follow-ups were already queued behind it. */
  expanded?: boolean;
}

/** A window [lo, hi] not yet cut into slices (older than every task before it in the queue). */
interface Region {
  readonly kind: 'region';
  readonly lo: number;
  hi: number;
  /** Rows at or before this key were already emitted (applies to the first slice cut). */
  after?: RowKey;
  /** Slices of this region already counted in the requests total and not yet cut. */
  announced: number;
  /** The narrowest slice (so that one region makes at most `maxSlices`). */
  readonly minWidth: number;
}

type Item = Task | Region;

type Outcome = E.Either<BaqlReason, { rows: readonly Row[]; next: Item[] }>;

const iso = (ms: number): string => new Date(ms).toISOString();

/** Pages one request, yielding chunks of rows newest first; fails with the first error. */
export async function* scanRequest(
  criteria: SearchCriteria,
  options: ScanOptions,
): AsyncGenerator<readonly Row[], void, undefined> {
  const { fetchPage, signal, pageSize } = options;
  const lookahead = Math.max(1, Math.floor(options.lookahead));
  const maxSlices = Math.max(1, options.maxSlices ?? 256);
  const base: SearchCriteria = { ...criteria, pageSize };
  const stopAfter = options.stopAfter ?? Number.POSITIVE_INFINITY;
  const scheduler = options.scheduler ?? new ScanScheduler(lookahead, () => lookahead);
  const target = pageSize * SLICE_PAGES;
  /** Rows handed to the consumer so far. */
  let emitted = 0;
  let stopped = false;
  // The observed density of this request: records seen over the span (ms) their pages covered.
  let seenRecords = 0;
  let seenSpan = 0;
  const density = (): number => (seenSpan > 0 ? seenRecords / seenSpan : 0);

  const run = async (task: Task, urgent: boolean): Promise<Outcome> => {
    let page;
    try {
      page = await fetchPage(task.criteria, signal, urgent);
    } finally {
      scheduler.inFlight -= 1;
    }
    if (E.isLeft(page)) return page;
    const all = page.right.rows;
    const after = task.after;
    const rows = after === undefined ? all : all.filter((r) => compareRows(r, after) > 0);
    const token = page.right.nextPageToken;
    const last = all[all.length - 1];
    const sliceable = Number.isFinite(task.lo) && Number.isFinite(task.top);
    // What this page tells of the density: all the records of its window below `top`, or (with
    // more to come) the records between its last row and `top`. A request's own first pages are
    // measured from their first row: a window often ends well after the newest record, and that
    // empty time says nothing of the density of the rest.
    if (sliceable) {
      const first = all[0];
      const upper =
        !task.slice && first !== undefined && Number.isFinite(first.ms)
          ? Math.min(task.top, first.ms)
          : task.top;
      const floor = token === undefined || last === undefined ? task.lo : last.ms;
      if (Number.isFinite(floor) && upper >= floor) {
        seenRecords += all.length;
        seenSpan += upper - floor + 1;
      }
    }
    // With the rows emitted so far (exact for the head), this page covers what is needed.
    if (token === undefined || emitted + rows.length >= stopAfter) {
      options.onRequestDone?.();
      return E.right({ rows, next: [] });
    }
    // The rest [lo, last.ms] may be sliced when the page made progress past what was emitted
    // (otherwise a millisecond holding more than a page would be asked for again and again).
    if (
      options.slicing &&
      sliceable &&
      last !== undefined &&
      Number.isFinite(last.ms) &&
      last.ms >= task.lo &&
      (after === undefined || compareRows(last, after) > 0)
    ) {
      const span = last.ms - task.lo + 1;
      const expected = density() * span;
      // A slice's rest may take a sequential page only while uncut regions keep the other slots
      // busy; in the tail (or for the first page) a rest of more than a page is sliced.
      const above =
        task.slice && queue.some((item) => item.kind === 'region')
          ? RESLICE_REST_ABOVE
          : SLICE_REST_ABOVE;
      if (span > 1 && expected > pageSize * above) {
        const announced = Math.min(maxSlices, Math.max(1, Math.ceil(expected / target)));
        options.onRequests?.(announced);
        options.onRequestDone?.();
        const region: Region = {
          kind: 'region',
          lo: task.lo,
          hi: last.ms,
          after: last,
          announced,
          minWidth: Math.ceil(span / maxSlices),
        };
        return E.right({ rows, next: [region] });
      }
    }
    const cont: Task = {
      kind: 'task',
      criteria: { ...task.criteria, nextPageToken: token },
      lo: task.lo,
      hi: task.hi,
      top: last === undefined || !Number.isFinite(last.ms) ? task.top : last.ms,
      slice: task.slice,
      ...(after === undefined ? {} : { after }),
    };
    return E.right({ rows, next: [cont] });
  };

  /** Cuts the next slice off region `queue[i]` (in place: the slice, then what is left). */
  const cut = (i: number): Task => {
    const r = queue[i] as Region;
    const span = r.hi - r.lo + 1;
    const d = density();
    // Near the end of the region, smaller slices (down to ¾ of a page), so that every slot has
    // one and the last ones finish together instead of a few long chains.
    const want = Math.max(
      pageSize * MIN_SLICE_PAGES,
      Math.min(target, (d * span) / Math.max(1, scheduler.slots())),
    );
    const width = sliceWidth(span, d, want, r.minWidth);
    const lo = r.hi - width + 1;
    const slice: Task = {
      kind: 'task',
      criteria: { ...base, startTime: iso(lo), endTime: iso(r.hi) },
      lo,
      hi: r.hi,
      top: r.hi,
      slice: true,
      ...(r.after === undefined ? {} : { after: r.after }),
    };
    if (r.announced > 0) r.announced -= 1;
    else options.onRequests?.(1);
    if (lo <= r.lo) {
      // The region is used up: take back the slices announced but not cut.
      if (r.announced > 0) options.onRequests?.(-r.announced);
      queue.splice(i, 1, slice);
    } else {
      r.hi = lo - 1;
      delete r.after;
      queue.splice(i, 0, slice);
    }
    return slice;
  };

  const start = (t: Task, urgent: boolean): void => {
    scheduler.inFlight += 1;
    const p = run(t, urgent);
    t.promise = p;
    void p.then(
      (r) => {
        expand(t, r);
        scheduler.pump();
      },
      () => undefined,
    );
  };

  // A task that finished queues its follow-ups (the next page, or a region for the rest) right
  // behind it at once, so they can start before the consumer reaches it.
  const expand = (t: Task, r: Outcome): void => {
    if (t.expanded === true || stopped || E.isLeft(r) || r.right.next.length === 0) return;
    const at = queue.indexOf(t);
    if (at < 0) return;
    queue.splice(at + 1, 0, ...r.right.next);
    t.expanded = true;
  };

  const release = (t: Task) => {
    if (t.counted === true) {
      scheduler.used -= 1;
      t.counted = false;
    }
  };

  const startMs = Date.parse(criteria.startTime);
  const endMs = Date.parse(criteria.endTime);
  const finite = Number.isFinite(startMs) && Number.isFinite(endMs);
  const queue: Item[] = [
    {
      kind: 'task',
      criteria: base,
      lo: finite ? startMs : Number.NaN,
      hi: finite ? endMs : Number.NaN,
      top: finite ? endMs : Number.NaN,
      slice: false,
    },
  ];

  const source: ScanSource = {
    startHead() {
      if (stopped || queue.length === 0) return;
      if (queue[0]?.kind === 'region') cut(0);
      const head = queue[0] as Task;
      if (head.promise === undefined) start(head, true);
    },
    candidate() {
      if (stopped) return undefined;
      let running = queue[0]?.kind === 'task' && queue[0].promise !== undefined ? 1 : 0;
      for (let i = 1; i < queue.length && i <= lookahead; i += 1) {
        const item = queue[i] as Item;
        if (item.kind === 'region') return ahead(running) ? item.hi : undefined;
        if (item.promise === undefined) return ahead(running) ? item.top : undefined;
        running += 1;
      }
      return undefined;
    },
    startNext() {
      for (let i = 1; i < queue.length && i <= lookahead; i += 1) {
        const item = queue[i] as Item;
        const t = item.kind === 'region' ? cut(i) : item;
        if (t.promise !== undefined) continue;
        scheduler.used += 1;
        t.counted = true;
        start(t, false);
        return;
      }
    },
  };
  // Whether one more prefetch may be needed: under a limit, not when the rows emitted and the
  // pages already started (at most a page each) cover it.
  const ahead = (running: number): boolean =>
    stopAfter === Number.POSITIVE_INFINITY || emitted + (running + 1) * pageSize < stopAfter;

  scheduler.sources.add(source);
  try {
    scheduler.pump();
    while (queue.length > 0) {
      source.startHead();
      const head = queue[0] as Task;
      const result = await (head.promise as Promise<Outcome>);
      expand(head, result);
      queue.shift();
      release(head);
      if (E.isLeft(result)) throw new ScanFailure(result.left);
      emitted += result.right.rows.length;
      if (emitted >= stopAfter) {
        // Enough rows: no more pages (prefetches in flight are cancelled by the query's signal).
        if (result.right.rows.length > 0) yield result.right.rows;
        return;
      }
      // Prefetch before handing the rows over, so paging overlaps with the consumer.
      scheduler.pump();
      if (result.right.rows.length > 0) yield result.right.rows;
    }
  } finally {
    stopped = true;
    scheduler.sources.delete(source);
    // Consumer stopped early or failed: prefetches still in flight are abandoned (the query's
    // AbortSignal cancels them); swallow their results so nothing is left unhandled.
    for (const item of queue) {
      if (item.kind === 'region') continue;
      release(item);
      void item.promise?.catch(() => undefined);
    }
    scheduler.pump();
  }
}

/** Carries a {@link BaqlReason} through an async generator. */
export class ScanFailure extends Error {
  constructor(readonly reason: BaqlReason) {
    super(reason._tag);
  }
}

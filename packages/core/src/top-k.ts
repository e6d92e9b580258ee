/**
 * `sort … | limit n` in bounded memory: the pipeline of `@baql/query` sorts by buffering every
 * row; when a `limit` follows, only the best `n` rows can ever come out, so the core keeps a heap
 * of `n` instead — O(n) memory whatever the input size, the same order (the same comparison,
 * missing values last, ties in arrival order).
 *
 * @module
 */
import {
  compareValues,
  createPipeline,
  fieldValue,
  sortKeyOf,
  indexCatalog,
  defaultCatalog,
} from '@baql/query';
import type { PipelineContext, Row, RowSink, Stage } from '@baql/query';

/** A `sort` stage of `@baql/query`. */
export type SortStage = Extract<Stage, { op: 'sort' }>;

/**
 * A row with its sort keys read once ({@link sortKeys}); `i` breaks ties (its arrival number, or
 * the number of the spilled run it comes from — runs hold consecutive arrivals).
 */
export interface SortEntry {
  readonly row: Row;
  readonly i: number;
  readonly keys: readonly (string | number | undefined)[];
}
type Entry = SortEntry;

const compareOne = (a: string | number | undefined, b: string | number | undefined): number => {
  if (a === undefined) return b === undefined ? 0 : 1;
  if (b === undefined) return -1;
  return compareValues(String(a), String(b));
};

/**
 * The order of `sort` (as `@baql/query` defines it): negative when `a` comes first. Missing
 * values last whatever the direction, ties by `i` (arrival order).
 */
export function sortComparator(stage: SortStage): (a: SortEntry, b: SortEntry) => number {
  return (a, b) => {
    for (let j = 0; j < stage.keys.length; j += 1) {
      const av = a.keys[j];
      const bv = b.keys[j];
      const c = compareOne(av, bv);
      if (c === 0) continue;
      if (av === undefined || bv === undefined) return c;
      return stage.keys[j]?.direction === 'desc' ? -c : c;
    }
    return a.i - b.i;
  };
}

/** A sink keeping the first `n` rows of `stage`'s order in a heap, emitted sorted at the end. */
export function topKSink(
  stage: SortStage,
  n: number,
  ctx: PipelineContext,
  next: RowSink,
): RowSink {
  const index = indexCatalog(ctx.catalog ?? defaultCatalog);
  const cmp = sortComparator(stage);
  // A max-heap by `cmp`: the root is the worst row kept.
  const heap: Entry[] = [];
  let arrival = 0;
  const up = (k: number) => {
    while (k > 0) {
      const p = (k - 1) >> 1;
      if (cmp(heap[k] as Entry, heap[p] as Entry) <= 0) break;
      [heap[k], heap[p]] = [heap[p] as Entry, heap[k] as Entry];
      k = p;
    }
  };
  const down = (k: number) => {
    for (;;) {
      const l = 2 * k + 1;
      const r = l + 1;
      let m = k;
      if (l < heap.length && cmp(heap[l] as Entry, heap[m] as Entry) > 0) m = l;
      if (r < heap.length && cmp(heap[r] as Entry, heap[m] as Entry) > 0) m = r;
      if (m === k) return;
      [heap[k], heap[m]] = [heap[m] as Entry, heap[k] as Entry];
      k = m;
    }
  };
  return {
    push(row) {
      if (n <= 0) return false;
      const entry: Entry = {
        row,
        i: arrival,
        keys: stage.keys.map((k) => sortKeyOf(fieldValue(row, k.field, index), k.field, index)),
      };
      arrival += 1;
      if (heap.length < n) {
        heap.push(entry);
        up(heap.length - 1);
      } else if (cmp(entry, heap[0] as Entry) < 0) {
        heap[0] = entry;
        down(0);
      }
      return true;
    },
    end() {
      const sorted = heap.sort(cmp);
      for (const e of sorted) if (!next.push(e.row)) break;
      next.end();
    },
  };
}

/**
 * `createPipeline` of `@baql/query`, except that every `sort` directly followed by `limit n`
 * runs in O(n) memory ({@link topKSink}).
 */
export function createBoundedPipeline(
  stages: readonly Stage[],
  ctx: PipelineContext,
  emit: (row: Row) => boolean | void,
): RowSink {
  const at = stages.findIndex((s, i) => s.op === 'sort' && stages[i + 1]?.op === 'limit');
  if (at < 0) return createPipeline(stages, ctx, emit);
  const sort = stages[at] as SortStage;
  const limit = stages[at + 1] as Extract<Stage, { op: 'limit' }>;
  const tail = createBoundedPipeline(stages.slice(at + 2), ctx, emit);
  const topK = topKSink(sort, limit.count, ctx, tail);
  const head = createPipeline(stages.slice(0, at), ctx, (row) => topK.push(row));
  return {
    push: (row) => head.push(row),
    end: () => {
      head.end();
      topK.end();
    },
  };
}

/**
 * Runs a plan's pipeline over the executor's records, as an async stream, with the accumulators
 * of `@baql/query` (`createPipeline`: fields, sort, limit, count [by], top, dedup, timechart;
 * `sort … | limit n` keeps only n rows, see `top-k.ts`; any other `sort` is an external merge
 * sort that spills sorted runs to disk past `sortMemoryRows`, see `external-sort.ts`).
 * Records are pushed as pages arrive; when the pipeline (a `limit`) or the caller's `limit` wants
 * no more input, iteration of the records stops, which cancels the paging. Aggregations hold
 * O(groups) memory; a plain `sort` O(sortMemoryRows); other row stages nothing beyond the
 * current page.
 *
 * @module
 */
import { isAggregate, outputColumns } from '@baql/query';
import type { BankingActivity, Catalog, PipelineContext, Row, Stage } from '@baql/query';
import { externalSort, runRows } from './external-sort.js';
import { createBoundedPipeline, type SortStage } from './top-k.js';

/** A result row: a record, or an aggregate row (`count` values are numbers). */
export type OutputRow = Row;

/** Options of {@link runPipeline}. */
export interface PipelineOptions {
  readonly catalog: Catalog;
  readonly window: { readonly start: string; readonly end: string };
  readonly timeZone?: string;
  /** Stop after this many output rows. */
  readonly limit?: number;
  /** Rows a plain `sort` holds in memory before it spills a sorted run to disk (default 50 000). */
  readonly sortMemoryRows?: number;
  /** Where a spilling `sort` makes its private temporary directory (default `os.tmpdir()`). */
  readonly sortTempDir?: string;
  /** Stops a spilled sort's merge (`Aborted`); the records stop on their own signal. */
  readonly signal?: AbortSignal;
}

/** A plain `sort`: one no `limit` directly follows (that one is a bounded top-k). */
const plainSortAt = (stages: readonly Stage[]): number =>
  stages.findIndex((s, i) => s.op === 'sort' && stages[i + 1]?.op !== 'limit');

/**
 * A plain `sort` whose later stages are only `fields` (one row out per row in) and `limit`s
 * needs only its first n rows, n the least of those limits and the caller's: a `limit n` is put
 * right after it, which makes it a top-k heap (`top-k.ts`) — unless n is more rows than one
 * spilled run would hold, where spilling takes less memory.
 */
function boundSorts(
  stages: readonly Stage[],
  callerLimit: number | undefined,
  memoryRows: number,
): readonly Stage[] {
  const at = stages.findLastIndex((s) => s.op === 'sort');
  if (at < 0 || stages[at + 1]?.op === 'limit') return stages;
  const after = stages.slice(at + 1);
  if (!after.every((s) => s.op === 'fields' || s.op === 'limit')) return stages;
  const bounds = after.flatMap((s) => (s.op === 'limit' ? [s.count] : []));
  if (callerLimit !== undefined) bounds.push(callerLimit);
  if (bounds.length === 0) return stages;
  const n = Math.min(...bounds);
  if (n > memoryRows) return stages;
  return [...stages.slice(0, at + 1), { op: 'limit', count: n }, ...after];
}

/** The rows of `input` through `stages` (none of them a plain sort), batch by batch. */
async function* segment(
  stages: readonly Stage[],
  input: AsyncIterable<readonly Row[]>,
  ctx: PipelineContext,
): AsyncGenerator<readonly Row[], void, undefined> {
  let out: Row[] = [];
  const sink = createBoundedPipeline(stages, ctx, (row) => {
    out.push(row);
  });
  let more = true;
  for await (const batch of input) {
    for (const row of batch) {
      more = sink.push(row);
      if (!more) break;
    }
    if (out.length > 0) {
      yield out;
      out = [];
    }
    if (!more) break;
  }
  sink.end();
  if (out.length > 0) yield out;
}

/** A running pipeline. */
export interface PipelineRun {
  readonly kind: 'rows' | 'aggregate';
  /** The output columns known so far (rows without `fields`: the attributes seen, in order). */
  columns(): readonly string[];
  /** Output rows, in batches. */
  readonly batches: AsyncGenerator<readonly OutputRow[], void, undefined>;
}

/** The leading columns of raw records, when present. */
const LEADING = ['timeStamp', 'eventId', 'ReqCtx_loginId'];
const MAX_COLUMNS = 200;

/** Runs `stages` over batches of records. */
export function runPipeline(
  stages: readonly Stage[],
  batches: AsyncGenerator<readonly BankingActivity[], void, undefined>,
  options: PipelineOptions,
): PipelineRun {
  const fixed = outputColumns(stages);
  const seen = new Set<string>();
  const limit = options.limit;
  const columns = (): readonly string[] => {
    if (fixed !== undefined) return fixed;
    const lead = LEADING.filter((c) => seen.has(c));
    return [...lead, ...[...seen].filter((c) => !LEADING.includes(c))];
  };
  // Columns of raw records: every key of the first rows, then of a sample (a for-in per row
  // would cost as much as the rest of the client).
  let tracked = 0;
  const note = (rows: readonly OutputRow[]) => {
    if (fixed !== undefined) return;
    for (const row of rows) {
      tracked += 1;
      if (seen.size < MAX_COLUMNS && (tracked <= 100 || tracked % 1000 === 0))
        for (const k in row) seen.add(k);
    }
  };
  async function* run(): AsyncGenerator<readonly OutputRow[], void, undefined> {
    if (limit !== undefined && limit <= 0) {
      await batches.return();
      return;
    }
    const ctx: PipelineContext = {
      catalog: options.catalog,
      window: options.window,
      ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
    };
    // Every plain sort splits the pipeline: the stages before it run synchronously into the
    // external sort, whose merged output feeds the rest.
    let source: AsyncIterable<readonly Row[]> = batches;
    let rest = boundSorts(stages, limit, runRows(options.sortMemoryRows));
    for (let at = plainSortAt(rest); at >= 0; at = plainSortAt(rest)) {
      if (at > 0) source = segment(rest.slice(0, at), source, ctx);
      source = externalSort(rest[at] as SortStage, source, ctx, {
        ...(options.sortMemoryRows === undefined ? {} : { memoryRows: options.sortMemoryRows }),
        ...(options.sortTempDir === undefined ? {} : { tempDir: options.sortTempDir }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      rest = rest.slice(at + 1);
    }
    let out: OutputRow[] = [];
    let emitted = 0;
    const sink = createBoundedPipeline(rest, ctx, (row) => {
      out.push(row);
      emitted += 1;
      return limit === undefined || emitted < limit;
    });
    let more = true;
    for await (const batch of source) {
      for (const record of batch) {
        more = sink.push(record);
        if (!more) break;
      }
      if (out.length > 0) {
        note(out);
        yield out;
        out = [];
      }
      if (!more) break;
    }
    sink.end();
    if (out.length > 0) {
      note(out);
      yield out;
    }
  }
  return { kind: isAggregate(stages) ? 'aggregate' : 'rows', columns, batches: run() };
}

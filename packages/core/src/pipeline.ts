/**
 * Runs a plan's pipeline over the executor's records, as an async stream, with the accumulators
 * of `@baql/query` (`createPipeline`: fields, sort, limit, count [by], top, dedup, timechart;
 * `sort … | limit n` keeps only n rows, see `top-k.ts`).
 * Records are pushed as pages arrive; when the pipeline (a `limit`) or the caller's `limit` wants
 * no more input, iteration of the records stops, which cancels the paging. Aggregations hold
 * O(groups) memory; row pipelines hold nothing beyond the current page.
 *
 * @module
 */
import { isAggregate, outputColumns } from '@baql/query';
import type { BankingActivity, Catalog, Row, Stage } from '@baql/query';
import { createBoundedPipeline } from './top-k.js';

/** A result row: a record, or an aggregate row (`count` values are numbers). */
export type OutputRow = Row;

/** Options of {@link runPipeline}. */
export interface PipelineOptions {
  readonly catalog: Catalog;
  readonly window: { readonly start: string; readonly end: string };
  readonly timeZone?: string;
  /** Stop after this many output rows. */
  readonly limit?: number;
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
    let out: OutputRow[] = [];
    let emitted = 0;
    const sink = createBoundedPipeline(
      stages,
      {
        catalog: options.catalog,
        window: options.window,
        ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
      },
      (row) => {
        out.push(row);
        emitted += 1;
        return limit === undefined || emitted < limit;
      },
    );
    let more = true;
    for await (const batch of batches) {
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

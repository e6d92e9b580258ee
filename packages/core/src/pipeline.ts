/**
 * Runs a plan's pipeline over the executor's records.
 *
 * @module
 */
import type { BankingActivity, Catalog } from '@baql/query';

/** A result row: a record, or an aggregate row (`count` values are numbers). */
export type OutputRow = Readonly<Record<string, string | number>>;

/** Options of {@link runPipeline}. */
export interface PipelineOptions {
  readonly catalog: Catalog;
  /** Stop after this many output rows. */
  readonly limit?: number;
}

/** A running pipeline. */
export interface PipelineRun {
  readonly kind: 'rows' | 'aggregate';
  /** The output columns known so far. */
  columns(): readonly string[];
  readonly rows: AsyncGenerator<OutputRow, void, undefined>;
}

const DEFAULT_COLUMNS = ['timeStamp', 'eventId', 'ReqCtx_loginId', 'channel', 'result'];

/** Runs `stages` over `records`. */
export function runPipeline(
  stages: readonly unknown[],
  records: AsyncGenerator<BankingActivity, void, undefined>,
  options: PipelineOptions,
): PipelineRun {
  void stages;
  const limit = options.limit;
  async function* rows(): AsyncGenerator<OutputRow, void, undefined> {
    if (limit !== undefined && limit <= 0) return;
    let n = 0;
    for await (const r of records) {
      yield r;
      n += 1;
      if (limit !== undefined && n >= limit) return;
    }
  }
  return { kind: 'rows', columns: () => DEFAULT_COLUMNS, rows: rows() };
}

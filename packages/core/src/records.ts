/**
 * Records as the executor handles them: canonical keys, plus the sort key (instant, guid) that
 * orders results newest first and finds duplicates.
 *
 * @module
 */
import { indexCatalog } from '@baql/query';
import type { BankingActivity, Catalog } from '@baql/query';

/** A record with its precomputed order key. */
export interface Row {
  readonly record: BankingActivity;
  /** `timeStamp` as epoch milliseconds (NaN if missing or unparsable: sorted last). */
  readonly ms: number;
  readonly guid: string;
}

/** Reads an attribute case-insensitively (records may use lowercase or camelCase keys). */
export function attribute(record: BankingActivity, name: string): string | undefined {
  const direct = record[name];
  if (direct !== undefined) return direct;
  const lower = name.toLowerCase();
  for (const key in record) if (key.toLowerCase() === lower) return record[key];
  return undefined;
}

/** Builds the {@link Row} of a (canonicalised) record. */
export function toRow(record: BankingActivity): Row {
  const ts = record['timeStamp'] ?? attribute(record, 'timeStamp');
  const ms = ts === undefined ? Number.NaN : Date.parse(ts);
  return {
    record,
    ms: Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms,
    guid: record['guid'] ?? attribute(record, 'guid') ?? '',
  };
}

/** Newest first: `a` before `b` → negative. Ties broken by guid descending. */
export function compareRows(a: Pick<Row, 'ms' | 'guid'>, b: Pick<Row, 'ms' | 'guid'>): number {
  if (a.ms !== b.ms) return b.ms - a.ms;
  return a.guid === b.guid ? 0 : a.guid < b.guid ? 1 : -1;
}

/**
 * A fast `canonicalizeRecord` for one catalog: the same mapping (received key → the catalog's
 * spelling, case-insensitively; unknown keys kept), memoised per received key, because it runs
 * once per record on the hot path.
 */
export function createCanonicalizer(
  catalog: Catalog,
): (record: BankingActivity) => BankingActivity {
  const { attributes } = indexCatalog(catalog);
  const memo = new Map<string, string>();
  return (record) => {
    const out: Record<string, string> = {};
    for (const key in record) {
      let canonical = memo.get(key);
      if (canonical === undefined) {
        canonical = attributes.get(key.toLowerCase()) ?? key;
        if (memo.size < 10_000) memo.set(key, canonical);
      }
      out[canonical] = record[key] as string;
    }
    return out;
  };
}

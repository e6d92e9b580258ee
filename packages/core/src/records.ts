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

interface ShapeNode {
  readonly next: Map<string, ShapeNode>;
  build?: (record: BankingActivity) => BankingActivity;
}

const MAX_SHAPE_NODES = 50_000;

/**
 * A fast `canonicalizeRecord` for one catalog: the same mapping (received key → the catalog's
 * spelling, case-insensitively; unknown keys kept; key order kept), compiled per record shape.
 * Records of one API answer come in few shapes (one per event type), so each shape gets a
 * generated function that builds the canonical object with an object literal — several times
 * faster than assigning dynamic keys, on the hottest path of the client.
 */
export function createCanonicalizer(
  catalog: Catalog,
): (record: BankingActivity) => BankingActivity {
  const { attributes } = indexCatalog(catalog);
  const memo = new Map<string, string>();
  const canonical = (key: string): string => {
    let c = memo.get(key);
    if (c === undefined) {
      c = attributes.get(key.toLowerCase()) ?? key;
      if (memo.size < 10_000) memo.set(key, c);
    }
    return c;
  };
  const slow = (record: BankingActivity): BankingActivity => {
    const out: Record<string, string> = {};
    for (const key in record) out[canonical(key)] = record[key] as string;
    return out;
  };
  const compile = (keys: readonly string[]): ((record: BankingActivity) => BankingActivity) => {
    const targets = keys.map(canonical);
    // Two received keys with the same canonical spelling: keep the simple path's semantics.
    if (new Set(targets).size !== targets.length) return slow;
    if (keys.includes('__proto__')) return slow;
    const body = keys
      .map((k, i) => `${JSON.stringify(targets[i])}: r[${JSON.stringify(k)}]`)
      .join(', ');
    return new Function('r', `return { ${body} };`) as (record: BankingActivity) => BankingActivity;
  };
  const root: ShapeNode = { next: new Map() };
  let nodes = 0;
  return (record) => {
    let node = root;
    const keys: string[] = [];
    for (const key in record) {
      keys.push(key);
      let child = node.next.get(key);
      if (child === undefined) {
        if (nodes >= MAX_SHAPE_NODES) return slow(record);
        child = { next: new Map() };
        node.next.set(key, child);
        nodes += 1;
      }
      node = child;
    }
    node.build ??= compile(keys);
    return node.build(record);
  };
}

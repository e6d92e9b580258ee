/**
 * k-way merge of newest-first row streams, with dedupe by `guid` (the same record returned by
 * two requests has the same order key, so duplicates meet in the merge; only the guids of the
 * current millisecond are remembered).
 *
 * @module
 */
import { compareRows, type Row } from './records.js';

interface Cursor {
  readonly it: AsyncIterator<readonly Row[]>;
  chunk: readonly Row[];
  index: number;
}

/** Most rows handed on in one batch by the merge. */
const BATCH = 1000;

/**
 * Merges newest-first chunk streams into one newest-first stream without duplicate guids, in
 * batches (one async hop per batch, not per row).
 */
export async function* mergeNewestFirst(
  sources: readonly AsyncIterable<readonly Row[]>[],
): AsyncGenerator<readonly Row[], void, undefined> {
  const cursors: Cursor[] = [];
  const its = sources.map((s) => s[Symbol.asyncIterator]());
  try {
    // Fill every cursor concurrently (each source prefetches its own first pages).
    const firsts = await Promise.all(its.map((it) => it.next()));
    firsts.forEach((r, i) => {
      if (r.done !== true && r.value.length > 0)
        cursors.push({ it: its[i] as AsyncIterator<readonly Row[]>, chunk: r.value, index: 0 });
    });
    let lastMs = Number.NaN;
    const seen = new Set<string>();
    let batch: Row[] = [];
    while (cursors.length > 0) {
      let best = 0;
      for (let i = 1; i < cursors.length; i += 1) {
        const a = cursors[i] as Cursor;
        const b = cursors[best] as Cursor;
        if (compareRows(a.chunk[a.index] as Row, b.chunk[b.index] as Row) < 0) best = i;
      }
      const cur = cursors[best] as Cursor;
      const row = cur.chunk[cur.index] as Row;
      cur.index += 1;
      if (row.ms !== lastMs) {
        lastMs = row.ms;
        seen.clear();
      }
      if (row.guid === '' || !seen.has(row.guid)) {
        if (row.guid !== '') seen.add(row.guid);
        batch.push(row);
      }
      if (cur.index >= cur.chunk.length) {
        // Hand on what is ready before waiting for the next page of this source.
        if (batch.length > 0) {
          yield batch;
          batch = [];
        }
        let next = await cur.it.next();
        while (next.done !== true && next.value.length === 0) next = await cur.it.next();
        if (next.done === true) cursors.splice(best, 1);
        else {
          cur.chunk = next.value;
          cur.index = 0;
        }
      } else if (batch.length >= BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    await Promise.all(its.map((it) => it.return?.().catch(() => undefined)));
  }
}

/** Drops duplicate guids from one newest-first chunk stream (the same rule as the merge). */
export async function* dedupeChunks(
  source: AsyncIterable<readonly Row[]>,
): AsyncGenerator<readonly Row[], void, undefined> {
  let lastMs = Number.NaN;
  const seen = new Set<string>();
  for await (const chunk of source) {
    const out: Row[] = [];
    for (const row of chunk) {
      if (row.ms !== lastMs) {
        lastMs = row.ms;
        seen.clear();
      }
      if (row.guid !== '' && seen.has(row.guid)) continue;
      if (row.guid !== '') seen.add(row.guid);
      out.push(row);
    }
    if (out.length > 0) yield out;
  }
}

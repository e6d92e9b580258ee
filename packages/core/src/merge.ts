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

/** Merges newest-first chunk streams into one newest-first row stream without duplicates. */
export async function* mergeNewestFirst(
  sources: readonly AsyncIterable<readonly Row[]>[],
): AsyncGenerator<Row, void, undefined> {
  const cursors: Cursor[] = [];
  const its = sources.map((s) => s[Symbol.asyncIterator]());
  try {
    // Fill every cursor concurrently (each source prefetches its own first pages).
    const firsts = await Promise.all(its.map((it) => it.next()));
    firsts.forEach((r, i) => {
      if (r.done !== true)
        cursors.push({ it: its[i] as AsyncIterator<readonly Row[]>, chunk: r.value, index: 0 });
    });
    let lastMs = Number.NaN;
    const seen = new Set<string>();
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
      if (cur.index >= cur.chunk.length) {
        let next = await cur.it.next();
        while (next.done !== true && next.value.length === 0) next = await cur.it.next();
        if (next.done === true) cursors.splice(best, 1);
        else {
          cur.chunk = next.value;
          cur.index = 0;
        }
      }
      if (row.ms !== lastMs) {
        lastMs = row.ms;
        seen.clear();
      }
      if (row.guid !== '' && seen.has(row.guid)) continue;
      if (row.guid !== '') seen.add(row.guid);
      yield row;
    }
  } finally {
    await Promise.all(its.map((it) => it.return?.().catch(() => undefined)));
  }
}

/** Flattens one newest-first chunk stream, dropping duplicate guids (cheap; same rule as the merge). */
export async function* flattenDedupe(
  source: AsyncIterable<readonly Row[]>,
): AsyncGenerator<Row, void, undefined> {
  let lastMs = Number.NaN;
  const seen = new Set<string>();
  for await (const chunk of source) {
    for (const row of chunk) {
      if (row.ms !== lastMs) {
        lastMs = row.ms;
        seen.clear();
      }
      if (row.guid !== '' && seen.has(row.guid)) continue;
      if (row.guid !== '') seen.add(row.guid);
      yield row;
    }
  }
}

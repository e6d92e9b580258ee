/**
 * The external merge sort of a plain `sort`: the same rows in the same order as the in-memory
 * `sort` of `@baql/query` (property, with runs of 3–7 rows and small merge fan-ins), exact NDJSON
 * round-trips, the private temp directory removed on every way out, and disk failures as a typed
 * `StorageError`.
 */
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultCatalog,
  runPipeline,
  type BankingActivity,
  type Row,
  type Stage,
} from '@baql/query';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaqlError, describeError } from '../src/errors.js';
import { decodeRow, encodeRow, externalSort } from '../src/external-sort.js';
import { runPipeline as runCorePipeline } from '../src/pipeline.js';
import type { SortStage } from '../src/top-k.js';

let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'baql-sort-test-'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

const field = (name: string) => ({ name, attr: name });

/** Rows in batches of the given sizes (cycled), as the executor hands them out. */
async function* batched(rows: readonly Row[], sizes: readonly number[] = [4]) {
  let at = 0;
  for (let k = 0; at < rows.length; k += 1) {
    const n = Math.max(1, sizes[k % sizes.length] ?? 1);
    yield rows.slice(at, at + n);
    at += n;
  }
}

async function drain(gen: AsyncIterable<readonly Row[]>): Promise<Row[]> {
  const out: Row[] = [];
  for await (const batch of gen) out.push(...batch);
  return out;
}

/** Private temp directories of sorts left under `dir`. */
const leftovers = async (dir: string) =>
  (await readdir(dir)).filter((f) => f.startsWith('baql-sort-'));

/** A copy of `row` without the keys whose value is undefined (a missing value). */
const present = (r: Record<string, string | number | undefined>): Row =>
  Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as Row;

describe('external sort ≡ the in-memory sort of @baql/query', () => {
  const value = fc.option(
    fc.oneof(
      fc.constantFrom('1', '2', '10', 'a', 'B', 'b', '-3', '2.5', '', 'é'),
      fc.integer({ min: -20, max: 20 }),
      fc.constantFrom(2.5, -0, 1e21, Number.NaN, Number.POSITIVE_INFINITY),
    ),
    { nil: undefined },
  );
  // `X`/`Y` differ from `x`/`y` only in case: a key is read case-insensitively when absent.
  const row = fc.record({
    x: value,
    X: value,
    Y: value,
    y: value,
    z: value,
    id: fc.string({ maxLength: 3 }),
  });
  const direction = fc.constantFrom('asc' as const, 'desc' as const);

  it('gives exactly the same rows in the same order (property, runs of 3–7 rows)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { maxLength: 60 }),
        fc.array(fc.tuple(fc.constantFrom('x', 'y', 'z', 'id', 'X', 'Y', 'Z'), direction), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.integer({ min: 3, max: 7 }),
        fc.integer({ min: 2, max: 5 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }),
        async (raw, keys, memoryRows, fanIn, sizes) => {
          const rows = raw.map(present);
          const sort: SortStage = {
            op: 'sort',
            keys: keys.map(([k, d]) => ({ field: field(k), direction: d })),
          };
          const expected = runPipeline([sort as Stage], rows);
          const got = await drain(
            externalSort(sort, batched(rows, sizes), {}, { memoryRows, fanIn, tempDir: base }),
          );
          expect(got).toEqual(expected);
          // Exactly: numbers stay numbers (even -0 and NaN), strings stay strings.
          got.forEach((r, i) => {
            for (const [k, v] of Object.entries(expected[i] ?? {}))
              expect(Object.is(r[k], v)).toBe(true);
          });
          expect(await leftovers(base)).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('the core pipeline (sort, later stages, caller limit) ≡ the query pipeline cut at the limit (property)', async () => {
    const later = fc.oneof(
      fc.constant<Stage>({ op: 'fields', fields: [field('id'), field('x'), field('y')] }),
      fc.integer({ min: 0, max: 12 }).map((count): Stage => ({ op: 'limit', count })),
      fc.constant<Stage>({ op: 'dedup', fields: [field('x')] }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { maxLength: 60 }),
        fc.array(fc.tuple(fc.constantFrom('x', 'y', 'id'), direction), {
          minLength: 1,
          maxLength: 2,
        }),
        fc.array(later, { maxLength: 3 }),
        // Limits around the run size: bounded by a heap below it, spilled above it.
        fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
        fc.integer({ min: 3, max: 7 }),
        async (raw, keys, tail, limit, memoryRows) => {
          const rows = raw.map(present);
          const stages: Stage[] = [
            { op: 'sort', keys: keys.map(([k, d]) => ({ field: field(k), direction: d })) },
            ...tail,
          ];
          const expected = runPipeline(stages, rows).slice(0, limit ?? rows.length);
          const run = runCorePipeline(
            stages,
            batched(rows, [5]) as AsyncGenerator<readonly BankingActivity[], void, undefined>,
            {
              catalog: defaultCatalog,
              window: { start: '2026-01-01T00:00:00.000Z', end: '2026-01-02T00:00:00.000Z' },
              sortMemoryRows: memoryRows,
              sortTempDir: base,
              ...(limit === undefined ? {} : { limit }),
            },
          );
          expect(await drain(run.batches)).toEqual(expected);
          expect(await leftovers(base)).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('round-trips every row through NDJSON exactly (property)', () => {
    const anyValue = fc.oneof(fc.string(), fc.double(), fc.integer());
    fc.assert(
      fc.property(fc.dictionary(fc.string(), anyValue), (r) => {
        const line = encodeRow(r);
        expect(line).not.toContain('\n');
        const back = decodeRow(line);
        expect(Object.keys(back)).toEqual(Object.keys(r));
        for (const k of Object.keys(r)) expect(Object.is(back[k], r[k])).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps one run in memory and never touches the disk when the rows fit', async () => {
    const dir = await mkdtemp(join(base, 'fits-'));
    const rows = Array.from({ length: 50 }, (_, i) => ({ n: (i * 7) % 13, i }));
    const sort: SortStage = { op: 'sort', keys: [{ field: field('n'), direction: 'asc' }] };
    const got = await drain(
      externalSort(sort, batched(rows), {}, { memoryRows: 50, tempDir: dir }),
    );
    expect(got).toEqual(runPipeline([sort], rows));
    expect(await readdir(dir)).toEqual([]);
    await rm(dir, { recursive: true });
  });
});

describe('the private temp directory', () => {
  const sort: SortStage = { op: 'sort', keys: [{ field: field('k'), direction: 'desc' }] };
  const rows = Array.from({ length: 500 }, (_, i) => ({ k: (i * 31) % 97, i }));

  /** Rows whose batches record whether a spill directory existed while they were read. */
  async function* watching(dir: string, seen: { dirs: number; mode?: number }) {
    for await (const batch of batched(rows, [25])) {
      const dirs = await leftovers(dir);
      seen.dirs = Math.max(seen.dirs, dirs.length);
      if (dirs[0] !== undefined) seen.mode = (await stat(join(dir, dirs[0]))).mode & 0o777;
      yield batch;
    }
  }

  it('is private (0700) while the sort runs and gone when it completes', async () => {
    const seen = { dirs: 0 } as { dirs: number; mode?: number };
    const got = await drain(
      externalSort(sort, watching(base, seen), {}, { memoryRows: 40, tempDir: base }),
    );
    expect(got).toEqual(runPipeline([sort], rows));
    expect(seen.dirs).toBe(1);
    expect(seen.mode).toBe(0o700);
    expect(await leftovers(base)).toEqual([]);
  });

  it('is gone after the consumer stops early', async () => {
    const gen = externalSort(
      sort,
      batched(rows, [25]),
      {},
      {
        memoryRows: 40,
        tempDir: base,
        batchRows: 10,
      },
    );
    const first = await gen.next();
    expect(first.done).toBe(false);
    expect(await leftovers(base)).toHaveLength(1);
    await gen.return();
    expect(await leftovers(base)).toEqual([]);
  });

  it('is gone after an abort, which ends the merge with Aborted', async () => {
    const controller = new AbortController();
    const gen = externalSort(
      sort,
      batched(rows, [25]),
      {},
      {
        memoryRows: 40,
        tempDir: base,
        batchRows: 10,
        signal: controller.signal,
      },
    );
    expect((await gen.next()).done).toBe(false);
    controller.abort();
    const error = await gen.next().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BaqlError);
    expect((error as BaqlError).reason._tag).toBe('Aborted');
    expect(await leftovers(base)).toEqual([]);
  });

  it('is gone when the input fails half-way, and the input error is what is thrown', async () => {
    async function* failing() {
      yield* batched(rows.slice(0, 200), [25]);
      throw new BaqlError({ _tag: 'NetworkError', message: 'ECONNRESET' });
    }
    const error = await drain(
      externalSort(sort, failing(), {}, { memoryRows: 40, tempDir: base }),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as BaqlError).reason._tag).toBe('NetworkError');
    expect(await leftovers(base)).toEqual([]);
  });
});

describe('filesystem failures', () => {
  const sort: SortStage = { op: 'sort', keys: [{ field: field('k'), direction: 'asc' }] };
  const rows = Array.from({ length: 100 }, (_, i) => ({ k: 100 - i }));

  it('an unusable temp directory gives a StorageError (create), never a crash', async () => {
    const file = join(base, 'not-a-directory');
    await writeFile(file, 'x');
    const error = await drain(
      externalSort(sort, batched(rows), {}, { memoryRows: 10, tempDir: file }),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BaqlError);
    const reason = (error as BaqlError).reason;
    expect(reason).toMatchObject({ _tag: 'StorageError', op: 'create', code: 'ENOTDIR' });
    expect(describeError(reason)).toMatch(/temporary files.*sortTempDir/);
    await rm(file);
  });

  it('a run that cannot be written gives a StorageError (write) and no rows', async () => {
    const dir = await mkdtemp(join(base, 'vanishing-'));
    async function* sabotage() {
      let k = 0;
      for await (const batch of batched(rows, [10])) {
        // After the first run is spilled, its directory disappears under the sort.
        if (k === 2)
          for (const d of await leftovers(dir)) await rm(join(dir, d), { recursive: true });
        k += 1;
        yield batch;
      }
    }
    const out: Row[] = [];
    const error = await (async () => {
      for await (const batch of externalSort(
        sort,
        sabotage(),
        {},
        { memoryRows: 10, tempDir: dir },
      ))
        out.push(...batch);
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(out).toEqual([]);
    expect((error as BaqlError).reason).toMatchObject({
      _tag: 'StorageError',
      op: 'write',
      code: 'ENOENT',
    });
    expect(await leftovers(dir)).toEqual([]);
    await rm(dir, { recursive: true });
  });
});

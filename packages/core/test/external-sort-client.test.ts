/**
 * A plain `sort` end to end through `createClient` against the real sandbox: spilling to disk in
 * small runs gives exactly the in-memory result; the private temp directory is gone after the
 * query completes, after an early `break` and after an abort; an unusable `sortTempDir` is a
 * `StorageError`, and only sorts that spill ever need one.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPipeline } from '@baql/query';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type BaqlClient, type ClientOptions } from '../src/client.js';
import { BaqlError } from '../src/errors.js';
import { clientOptions, sandbox, type Sandbox } from './helpers.js';

let sb: Sandbox;
let now: Date;
let base: string;
const clients: BaqlClient[] = [];
const client = (extra: Partial<ClientOptions>): BaqlClient => {
  const c = createClient({
    ...clientOptions(sb),
    pageSize: 500,
    ...extra,
  });
  clients.push(c);
  return c;
};
const leftovers = async () => (await readdir(base)).filter((f) => f.startsWith('baql-sort-'));

beforeAll(async () => {
  sb = await sandbox();
  now = new Date(Date.parse(sb.dataRange.end) + 1000);
  base = await mkdtemp(join(tmpdir(), 'baql-sort-client-'));
});
afterAll(async () => {
  for (const c of clients) await c.close();
  await sb.close();
  await rm(base, { recursive: true, force: true });
});

const SORTED = 'since 20d | sort user asc, channel desc, amount';

describe('a plain sort through createClient', () => {
  it('spilled in small runs equals the in-memory sort and the query package sort', async () => {
    const small = client({ sortMemoryRows: 37, sortTempDir: base });
    const huge = client({ sortMemoryRows: 1e9, sortTempDir: base });
    const spilled = await small.query(SORTED, { now });
    const inMemory = await huge.query(SORTED, { now });
    // Enough rows for many runs and a multi-pass merge (more than 64 runs).
    expect(spilled.rows.length).toBeGreaterThan(64 * 37);
    expect(spilled.rows).toEqual(inMemory.rows);
    expect(spilled.columns).toEqual(inMemory.columns);
    const unsorted = await huge.query('since 20d', { now });
    const plan = huge.compile(SORTED, { now });
    expect(spilled.rows).toEqual(runPipeline(plan.pipeline, unsorted.rows));
    expect(await leftovers()).toEqual([]);
  });

  it('feeds later stages and stops early on a downstream limit, leaving no files', async () => {
    const small = client({ sortMemoryRows: 50, sortTempDir: base });
    const huge = client({ sortMemoryRows: 1e9 });
    const text = 'since 10d | sort amount desc, user | fields user, amount, type | limit 25';
    const spilled = await small.query(text, { now });
    expect(spilled.rows).toHaveLength(25);
    expect(spilled.rows).toEqual((await huge.query(text, { now })).rows);
    expect(await leftovers()).toEqual([]);
  });

  it('removes the temp directory after an early break from client.stream', async () => {
    const small = client({ sortMemoryRows: 50, sortTempDir: base });
    let seen = 0;
    let during: string[] = [];
    for await (const row of small.stream(SORTED, { now })) {
      expect(row).toBeDefined();
      if (seen === 0) during = await leftovers();
      seen += 1;
      if (seen === 10) break;
    }
    expect(during).toHaveLength(1);
    expect(await leftovers()).toEqual([]);
  });

  it('removes the temp directory after an abort, which ends the stream with Aborted', async () => {
    const small = client({ sortMemoryRows: 50, sortTempDir: base });
    const controller = new AbortController();
    const stream = small.stream(SORTED, { now, signal: controller.signal });
    let rows = 0;
    const error = await (async () => {
      for await (const batch of stream.batches()) {
        rows += batch.length;
        controller.abort();
      }
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(rows).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(BaqlError);
    expect((error as BaqlError).reason._tag).toBe('Aborted');
    expect(await leftovers()).toEqual([]);
  });

  it('an unusable sortTempDir gives a StorageError; sorts that fit or are bounded never need it', async () => {
    const file = join(base, 'not-a-directory');
    await writeFile(file, 'x');
    const broken = client({ sortMemoryRows: 50, sortTempDir: file });
    const error = await broken.query(SORTED, { now }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BaqlError);
    expect((error as BaqlError).reason).toMatchObject({ _tag: 'StorageError', op: 'create' });
    expect((error as BaqlError).message).toMatch(/sortTempDir/);
    // `sort … | limit n` is a top-k heap, and a sort of fewer rows than one run stays in memory.
    const top = await broken.query('since 20d | sort amount desc | limit 5', { now });
    expect(top.rows).toHaveLength(5);
    // So is a plain sort whose caller asks for only a few rows.
    const capped = await broken.query('since 20d | sort amount desc', { now, limit: 5 });
    expect(capped.rows).toEqual(top.rows);
    const text = 'since 20d | sort amount desc | limit 5 | sort user';
    const few = await broken.query(text, { now });
    const byUser = broken.compile(text, { now }).pipeline.slice(-1);
    expect(few.rows).toEqual(runPipeline(byUser, top.rows));
    await rm(file);
  });

  it('rejects a sortMemoryRows that is not a number of rows with a ConfigError', () => {
    for (const sortMemoryRows of [0, -5, Number.NaN]) {
      let error: unknown;
      try {
        client({ sortMemoryRows });
      } catch (e) {
        error = e;
      }
      expect((error as BaqlError).reason).toMatchObject({ _tag: 'ConfigError' });
      expect((error as BaqlError).message).toMatch(/sortMemoryRows/);
    }
  });
});

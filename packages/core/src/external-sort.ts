/**
 * A plain `sort` (one no `limit` follows) in bounded memory: an external merge sort.
 *
 * Rows are buffered up to `memoryRows`; each full buffer is sorted (the order of `@baql/query`'s
 * `sort`: {@link sortComparator}, missing values last, ties in arrival order) and spilled as one
 * NDJSON "run" to a private temporary directory (`mkdtemp` under `os.tmpdir()`, mode 0700, files
 * 0600). The runs are then merged by a heap over run readers that read line by line, one chunk at
 * a time (backpressure: a reader asks for the next chunk only once its lines are used). Ties
 * across runs go to the earlier run, which holds the earlier arrivals, so the order is exactly
 * the in-memory order. More runs than `fanIn` are first merged in groups into longer runs.
 *
 * A result that fits in one run never touches the disk. The directory is removed when the sort
 * ends, fails, is aborted or is stopped early (the consumer's `return()`, e.g. a downstream
 * `limit` or a `break`), and at process exit if a query was still running. Filesystem failures
 * are thrown as a {@link BaqlError} whose reason is a `StorageError`.
 *
 * Memory: O(memoryRows) rows, plus one read chunk per merged run (≤ fanIn × 64 KiB).
 *
 * @module
 */
import { createReadStream, rmSync, type ReadStream } from 'node:fs';
import { chmod, mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCatalog, fieldValue, indexCatalog, sortKeyOf, type FieldRef } from '@baql/query';
import type { CatalogIndex, PipelineContext, Row } from '@baql/query';
import { BaqlError, type StorageError } from './errors.js';
import { sortComparator, type SortEntry, type SortStage } from './top-k.js';

/** Rows a plain `sort` holds in memory before it spills a sorted run to disk, by default. */
export const DEFAULT_SORT_MEMORY_ROWS = 50_000;
const DEFAULT_FAN_IN = 64;
const DEFAULT_BATCH_ROWS = 1000;
/** Characters of NDJSON gathered before one write. */
const WRITE_CHUNK = 1 << 20;
/** Bytes a run reader asks for at a time. */
const READ_CHUNK = 64 * 1024;

/**
 * The rows a run holds for a `memoryRows` option: at least one (`Infinity`: never spill);
 * anything else, NaN included, is {@link DEFAULT_SORT_MEMORY_ROWS}.
 */
export const runRows = (memoryRows: number | undefined): number =>
  memoryRows !== undefined && memoryRows >= 1 ? Math.floor(memoryRows) : DEFAULT_SORT_MEMORY_ROWS;

/** Options of {@link externalSort}. */
export interface ExternalSortOptions {
  /**
   * Rows held in memory before a sorted run is spilled (default {@link DEFAULT_SORT_MEMORY_ROWS};
   * `Infinity` never spills).
   */
  readonly memoryRows?: number;
  /** The directory the private temporary directory is created in (default `os.tmpdir()`). */
  readonly tempDir?: string;
  /** Most runs merged at once (default 64, at least 2). */
  readonly fanIn?: number;
  /** Rows per output batch (default 1000). */
  readonly batchRows?: number;
  /** Stops the merge with an `Aborted` error. */
  readonly signal?: AbortSignal;
}

// ---------------------------------------------------------------------------------------------
// NDJSON rows that round-trip exactly

const isSpecial = (v: unknown): v is number =>
  typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0));

/**
 * One row as one line of JSON. Strings stay strings and numbers numbers; the numbers JSON cannot
 * hold (`NaN`, `±Infinity`, `-0`) are written as `[row, {key: "NaN", …}]` so they come back too.
 */
export function encodeRow(row: Row): string {
  let special: Record<string, string> | undefined;
  for (const k of Object.keys(row)) {
    const v = row[k];
    if (isSpecial(v)) {
      special ??= Object.create(null) as Record<string, string>;
      special[k] = Object.is(v, -0) ? '-0' : String(v);
    }
  }
  const text = JSON.stringify(row);
  return special === undefined ? text : `[${text},${JSON.stringify(special)}]`;
}

/** The row of a line written by {@link encodeRow}. Throws on a line that is not JSON. */
export function decodeRow(line: string): Row {
  if (line.charCodeAt(0) !== 0x5b /* [ */) return JSON.parse(line) as Row;
  const [row, special] = JSON.parse(line) as [Record<string, unknown>, Record<string, string>];
  for (const k of Object.keys(special))
    Object.defineProperty(row, k, {
      value: Number(special[k]),
      writable: true,
      enumerable: true,
      configurable: true,
    });
  return row as Row;
}

// ---------------------------------------------------------------------------------------------
// The private temporary directory

/** Directories of sorts still running, removed at process exit if a query never ended. */
const live = new Set<string>();
let exitHook = false;
const track = (dir: string): void => {
  live.add(dir);
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    for (const d of live) {
      try {
        rmSync(d, { recursive: true, force: true });
      } catch {
        // Nothing more can be done at exit.
      }
    }
  });
};

const storageError = (op: StorageError['op'], dir: string, error: unknown): BaqlError => {
  const code = (error as { code?: unknown } | null)?.code;
  return new BaqlError({
    _tag: 'StorageError',
    op,
    dir,
    message: error instanceof Error ? error.message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
  });
};

/** The runs of one sort: a directory made on the first spill, removed by {@link remove}. */
class SpillDir {
  private dir: string | undefined;
  private files = 0;
  constructor(readonly base: string) {}

  /** A new run file's path (the directory is created on first use). */
  async newFile(): Promise<string> {
    if (this.dir === undefined) {
      try {
        const dir = await mkdtemp(join(this.base, 'baql-sort-'));
        this.dir = dir;
        track(dir);
        await chmod(dir, 0o700);
      } catch (error) {
        throw storageError('create', this.base, error);
      }
    }
    const file = join(this.dir, `run-${this.files}.ndjson`);
    this.files += 1;
    return file;
  }

  /** Writes one run of rows, in the order given, and returns its path. */
  async write(batches: AsyncIterable<readonly Row[]> | Iterable<readonly Row[]>): Promise<string> {
    const file = await this.newFile();
    let fh: FileHandle | undefined;
    try {
      fh = await open(file, 'wx', 0o600);
      let chunk = '';
      for await (const batch of batches) {
        for (const row of batch) chunk += `${encodeRow(row)}\n`;
        if (chunk.length >= WRITE_CHUNK) {
          await writeAll(fh, chunk);
          chunk = '';
        }
      }
      if (chunk.length > 0) await writeAll(fh, chunk);
      await fh.close();
      fh = undefined;
    } catch (error) {
      await fh?.close().catch(() => undefined);
      throw error instanceof BaqlError ? error : storageError('write', this.base, error);
    }
    return file;
  }

  /** Removes a run that was merged into a longer one (frees disk early). */
  async drop(file: string): Promise<void> {
    await rm(file, { force: true }).catch(() => undefined);
  }

  /** Removes the directory and every run in it. */
  async remove(): Promise<void> {
    const dir = this.dir;
    if (dir === undefined) return;
    this.dir = undefined;
    try {
      await rm(dir, { recursive: true, force: true });
      live.delete(dir);
    } catch {
      // Left to the exit hook.
    }
  }
}

async function writeAll(fh: FileHandle, text: string): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  let at = 0;
  while (at < bytes.length) {
    const { bytesWritten } = await fh.write(bytes, at, bytes.length - at);
    at += bytesWritten;
  }
}

// ---------------------------------------------------------------------------------------------
// Run readers and the k-way merge

/** A sorted source of rows: `take` what is buffered, `fill` to buffer more. */
interface Source {
  /** The next buffered row, or undefined when none is buffered. */
  take(): Row | undefined;
  /** Buffers more rows; false once the source is exhausted. */
  fill(): Promise<boolean>;
  close(): Promise<void>;
}

/** The last run, still in memory. */
const memorySource = (rows: readonly Row[]): Source => {
  let at = 0;
  return {
    take: () => (at < rows.length ? rows[at++] : undefined),
    fill: () => Promise.resolve(at < rows.length),
    close: () => Promise.resolve(),
  };
};

/** A spilled run, read one chunk (64 KiB) at a time and split into lines. */
class RunReader implements Source {
  private stream: ReadStream | undefined;
  private chunks: AsyncIterator<string> | undefined;
  private lines: string[] = [];
  private at = 0;
  private rest = '';
  private ended = false;
  constructor(
    private readonly file: string,
    private readonly base: string,
  ) {}

  take(): Row | undefined {
    if (this.at >= this.lines.length) return undefined;
    const line = this.lines[this.at] as string;
    this.at += 1;
    try {
      return decodeRow(line);
    } catch (error) {
      throw storageError('read', this.base, error);
    }
  }

  async fill(): Promise<boolean> {
    while (this.at >= this.lines.length) {
      if (this.ended) return false;
      if (this.chunks === undefined) {
        this.stream = createReadStream(this.file, { encoding: 'utf8', highWaterMark: READ_CHUNK });
        this.chunks = this.stream[Symbol.asyncIterator]() as AsyncIterator<string>;
      }
      let next: IteratorResult<string>;
      try {
        next = await this.chunks.next();
      } catch (error) {
        throw storageError('read', this.base, error);
      }
      if (next.done === true) {
        this.ended = true;
        this.lines = this.rest === '' ? [] : [this.rest];
        this.rest = '';
      } else {
        const parts = (this.rest + next.value).split('\n');
        this.rest = parts.pop() ?? '';
        this.lines = parts;
      }
      this.at = 0;
    }
    return true;
  }

  async close(): Promise<void> {
    const stream = this.stream;
    if (stream === undefined || stream.closed) return;
    await new Promise<void>((resolve) => {
      stream.once('close', () => resolve());
      stream.destroy();
    });
  }
}

interface Head {
  readonly entry: SortEntry;
  readonly source: Source;
}

/** A heap over sources (the `i` of an entry is its source's number: earlier runs win ties). */
class Merger {
  private readonly heap: Head[] = [];
  private constructor(
    private readonly sources: readonly Source[],
    private readonly cmp: (a: SortEntry, b: SortEntry) => number,
    private readonly keysOf: (row: Row) => SortEntry['keys'],
  ) {}

  static async open(
    sources: readonly Source[],
    cmp: (a: SortEntry, b: SortEntry) => number,
    keysOf: (row: Row) => SortEntry['keys'],
  ): Promise<Merger> {
    const m = new Merger(sources, cmp, keysOf);
    try {
      for (const [i, source] of sources.entries()) {
        const row = (await source.fill()) ? source.take() : undefined;
        if (row !== undefined) m.insert({ entry: { row, i, keys: keysOf(row) }, source });
      }
    } catch (error) {
      await m.close();
      throw error;
    }
    return m;
  }

  /** Up to `max` rows in order; empty once every source is exhausted. */
  async next(max: number): Promise<Row[]> {
    const out: Row[] = [];
    while (out.length < max && this.heap.length > 0) {
      const top = this.heap[0] as Head;
      out.push(top.entry.row);
      let row = top.source.take();
      if (row === undefined && (await top.source.fill())) row = top.source.take();
      if (row === undefined) {
        const last = this.heap.pop() as Head;
        if (this.heap.length > 0) {
          this.heap[0] = last;
          this.down(0);
        }
      } else {
        this.heap[0] = {
          entry: { row, i: top.entry.i, keys: this.keysOf(row) },
          source: top.source,
        };
        this.down(0);
      }
    }
    return out;
  }

  /** The rows in order, in batches of `max`. */
  async *batches(max: number): AsyncGenerator<readonly Row[], void, undefined> {
    for (;;) {
      const out = await this.next(max);
      if (out.length === 0) return;
      yield out;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.close()));
  }

  private less(a: number, b: number): boolean {
    return this.cmp((this.heap[a] as Head).entry, (this.heap[b] as Head).entry) < 0;
  }

  private swap(a: number, b: number): void {
    const t = this.heap[a] as Head;
    this.heap[a] = this.heap[b] as Head;
    this.heap[b] = t;
  }

  private insert(head: Head): void {
    this.heap.push(head);
    let k = this.heap.length - 1;
    while (k > 0) {
      const p = (k - 1) >> 1;
      if (!this.less(k, p)) break;
      this.swap(k, p);
      k = p;
    }
  }

  private down(k: number): void {
    for (;;) {
      const l = 2 * k + 1;
      const r = l + 1;
      let m = k;
      if (l < this.heap.length && this.less(l, m)) m = l;
      if (r < this.heap.length && this.less(r, m)) m = r;
      if (m === k) return;
      this.swap(k, m);
      k = m;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The sort

/**
 * Reads the sort keys of a row exactly as `fieldValue` of `@baql/query` does (the row's own key,
 * else the first key equal to it case-insensitively; derived fields through `fieldValue`), but
 * without `getAttr`'s per-record lookup cache: that map, as large as the record and alive as
 * long as it, would double the memory of every buffered row that lacks a key attribute.
 */
function keyReader(stage: SortStage, index: CatalogIndex): (row: Row) => SortEntry['keys'] {
  const refs = stage.keys.map((k) => k.field);
  const lower = refs.map((ref) => ref.attr.toLowerCase());
  const read = (row: Row, ref: FieldRef, j: number) => {
    if (ref.derived !== undefined) return fieldValue(row, ref, index);
    const direct = row[ref.attr];
    if (direct !== undefined) return direct;
    for (const k of Object.keys(row)) if (k.toLowerCase() === lower[j]) return row[k];
    return undefined;
  };
  return (row) => refs.map((ref, j) => sortKeyOf(read(row, ref, j), ref, index));
}

/** The rows of sorted entries in batches (what a run is written from). */
function* rowBatches(entries: readonly SortEntry[], size: number): Generator<readonly Row[]> {
  for (let k = 0; k < entries.length; k += size) yield entries.slice(k, k + size).map((e) => e.row);
}

/**
 * Sorts the rows of `input` by `stage` (exactly as `@baql/query`'s in-memory `sort`) in
 * O(`memoryRows`) memory, spilling sorted runs to a private temporary directory and merging
 * them. Yields the sorted rows in batches; stop it early with `return()` (the temp directory is
 * removed in every case). Throws a {@link BaqlError}: `StorageError` when the disk fails,
 * `Aborted` when `signal` fires, or what `input` throws.
 */
export async function* externalSort(
  stage: SortStage,
  input: AsyncIterable<readonly Row[]>,
  ctx: PipelineContext,
  options: ExternalSortOptions = {},
): AsyncGenerator<readonly Row[], void, undefined> {
  const memoryRows = runRows(options.memoryRows);
  const fanIn = Math.max(2, Math.floor(options.fanIn ?? DEFAULT_FAN_IN));
  const batchRows = Math.max(1, Math.floor(options.batchRows ?? DEFAULT_BATCH_ROWS));
  const signal = options.signal;
  const checkAbort = (): void => {
    if (signal?.aborted === true) throw new BaqlError({ _tag: 'Aborted' });
  };
  const cmp = sortComparator(stage);
  const keysOf = keyReader(stage, indexCatalog(ctx.catalog ?? defaultCatalog));
  const spill = new SpillDir(options.tempDir ?? tmpdir());
  try {
    let buffer: SortEntry[] = [];
    let arrival = 0;
    let runs: string[] = [];
    for await (const batch of input) {
      checkAbort();
      for (const row of batch) {
        buffer.push({ row, i: arrival, keys: keysOf(row) });
        arrival += 1;
        if (buffer.length >= memoryRows) {
          const sorted = buffer.sort(cmp);
          buffer = [];
          runs.push(await spill.write(rowBatches(sorted, batchRows)));
          checkAbort();
        }
      }
    }
    buffer.sort(cmp);
    if (runs.length === 0) {
      // Fits in one run: never touches the disk.
      for (let k = 0; k < buffer.length; k += batchRows) {
        checkAbort();
        yield buffer.slice(k, k + batchRows).map((e) => e.row);
      }
      return;
    }
    // Too many runs to merge at once (with the in-memory last one): merge consecutive groups
    // of `fanIn` runs into longer runs, which keeps earlier arrivals in earlier runs.
    while (runs.length + 1 > fanIn) {
      const longer: string[] = [];
      for (let g = 0; g < runs.length; g += fanIn) {
        const group = runs.slice(g, g + fanIn);
        if (group.length === 1) {
          longer.push(group[0] as string);
          continue;
        }
        checkAbort();
        const merger = await Merger.open(
          group.map((f) => new RunReader(f, spill.base)),
          cmp,
          keysOf,
        );
        try {
          longer.push(await spill.write(merger.batches(batchRows)));
        } finally {
          await merger.close();
        }
        for (const f of group) await spill.drop(f);
      }
      runs = longer;
    }
    const last = buffer.map((e) => e.row);
    buffer = [];
    const merger = await Merger.open(
      [...runs.map((f) => new RunReader(f, spill.base)), memorySource(last)],
      cmp,
      keysOf,
    );
    try {
      for (;;) {
        checkAbort();
        const out = await merger.next(batchRows);
        if (out.length === 0) break;
        yield out;
      }
    } finally {
      await merger.close();
    }
  } finally {
    await spill.remove();
  }
}

/**
 * Bench of the spilling `sort` of `@baql/core` (issue 5: "`sort` with bounded memory"; memory
 * stays bounded "whatever the result size"). Every figure is the peak live heap of a fresh client
 * process (`--expose-gc`: a full GC every 250 ms, then `heapUsed`; peak RSS mostly measures how
 * lazily V8 collects) streaming a query from a 40 000-event sandbox in its own process, rows
 * dropped as they come. Runs of 4 000 rows, so the larger sort spills about nine runs.
 *
 * 1. `| sort` of every record of 89 days vs the same records `| count`ed (the count asks the API
 *    for no attributes, so it holds less per record; target: within 50 MB — one run of full records
 *    plus the scan's lookahead of full pages, which fills more behind a slower consumer).
 * 2. How the live heap grows from a 22-day result to the 89-day one (about 4× the rows): `| sort`
 *    vs streaming the same records unsorted, whose executor lookahead grows too (target: the
 *    sort grows no more than the plain stream, + 0.25×).
 * 3. For scale: the spilling sort vs the same sort held in memory (target: less than it).
 */
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { BenchLine } from '../measure.js';

const here = dirname(fileURLToPath(import.meta.url));
const EVENTS = 40_000;
const RUN_ROWS = 4_000;

interface Info {
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly institutionId: string;
  readonly end: string;
}

/** Runs a module script in a child process; resolves with its first stdout line (JSON). */
function child(
  script: string,
  flags: readonly string[] = [],
): { first: Promise<unknown>; close(): void } {
  const proc = spawn(process.execPath, [...flags, '--input-type=module', '-e', script], {
    cwd: here,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const first = new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bench child timed out: ${err}`)), 120_000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench child exited with ${code}: ${err.slice(-300)}`));
    });
    createInterface({ input: proc.stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line));
    });
  });
  first.catch(() => undefined);
  return { first, close: () => proc.kill() };
}

const SANDBOX = `
import { startSandbox } from '@baql/sandbox';
const sb = await startSandbox({ port: 0, events: ${EVENTS}, seed: 11 });
process.stdout.write(JSON.stringify({ url: sb.url, clientId: sb.clientId, clientSecret: sb.clientSecret,
  institutionId: sb.institutionId, end: sb.dataRange.end }) + '\\n');
`;

/** A client process streaming `text` (rows dropped as they come) and reporting its peak live heap. */
const probe = (info: Info, text: string, sortMemoryRows: number): string => `
import { createClient } from '@baql/core';
const client = createClient(${JSON.stringify({
  baseUrl: info.url,
  clientId: info.clientId,
  clientSecret: info.clientSecret,
  institutionId: info.institutionId,
  sortMemoryRows,
})});
let peak = 0;
const sample = () => {
  globalThis.gc();
  const m = process.memoryUsage();
  peak = Math.max(peak, m.heapUsed);
};
const timer = setInterval(sample, 250);
const stream = client.stream(${JSON.stringify(text)}, { now: new Date(${Date.parse(info.end) + 1000}) });
let rows = 0, counted = 0;
for await (const batch of stream.batches()) {
  rows += batch.length;
  for (const r of batch) if (typeof r.count === 'number') counted += r.count;
}
clearInterval(timer);
sample();
process.stdout.write(JSON.stringify({ peak, rows, counted }) + '\\n');
await client.close();
process.exit(0);
`;

interface Probe {
  readonly peak: number;
  readonly rows: number;
  readonly counted: number;
}

const measure = async (info: Info, text: string, sortMemoryRows = RUN_ROWS): Promise<Probe> => {
  const c = child(probe(info, text, sortMemoryRows), ['--expose-gc']);
  try {
    return (await c.first) as Probe;
  } finally {
    c.close();
  }
};

const MB = 1e6;

export default async function sort(): Promise<readonly BenchLine[]> {
  const sb = child(SANDBOX);
  try {
    const info = (await sb.first) as Info;
    const all = 'kind:* since 89d';
    const quarter = 'kind:* since 22d';
    const order = '| sort user, amount desc, timeStamp';
    const counted = await measure(info, `${all} | count`);
    const streamed = await measure(info, all);
    const streamedQuarter = await measure(info, quarter);
    const sorted = await measure(info, `${all} ${order}`);
    const sortedQuarter = await measure(info, `${quarter} ${order}`);
    const inMemory = await measure(info, `${all} ${order}`, 1e9);
    const sortGrowth = sorted.peak / sortedQuarter.peak;
    const streamGrowth = streamed.peak / streamedQuarter.peak;
    const lines: BenchLine[] = [
      {
        name: `live heap: ${sorted.rows} records | sort, runs of ${RUN_ROWS} spilled (baseline: the same ${counted.counted} records | count)`,
        value: sorted.peak / MB,
        baseline: counted.peak / MB,
        unit: 'MB',
        target: '≤ count + 50 MB',
        met: sorted.rows === counted.counted && sorted.peak <= counted.peak + 50 * MB,
      },
      {
        name: `live heap growth from ${sortedQuarter.rows} to ${sorted.rows} rows: | sort (${(sortedQuarter.peak / MB).toFixed(1)} -> ${(sorted.peak / MB).toFixed(1)} MB; baseline: the plain stream, ${(streamedQuarter.peak / MB).toFixed(1)} -> ${(streamed.peak / MB).toFixed(1)} MB)`,
        value: sortGrowth,
        baseline: streamGrowth,
        unit: '×',
        target: '≤ stream growth + 0.25 (no growth with result size)',
        met: sortGrowth <= streamGrowth + 0.25,
      },
      {
        name: `live heap: ${sorted.rows} records | sort spilled (baseline: held in memory, the old behaviour)`,
        value: sorted.peak / MB,
        baseline: inMemory.peak / MB,
        unit: 'MB',
        target: '< in memory',
        met: sorted.peak < inMemory.peak && inMemory.rows === sorted.rows,
      },
    ];
    return lines;
  } finally {
    sb.close();
  }
}

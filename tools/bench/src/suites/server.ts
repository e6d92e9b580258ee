/**
 * Bench of the HTTP service (issue 7), with autocannon against real servers in child processes:
 *
 * 1. `POST /v1/query:compile` throughput beside a bare Fastify route answering the same JSON
 *    (the compile answer of the same query, taken once at start-up, so both send the same bytes),
 *    same connections and duration (target ≥ 60% of the bare route).
 * 2. `POST /v1/query` against the embedded sandbox at 50 connections: p99 latency beside the bare
 *    route's p99 at 50 connections, and errors (target 0 errors, non-2xx included).
 *
 * Servers run in their own processes (started from the built `@baql/server` by package name), so
 * the load generator does not share an event loop with them. About 25 s in all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchLine } from '../measure.js';

interface AutocannonResult {
  readonly requests: { readonly average: number; readonly total: number };
  readonly latency: { readonly p99: number; readonly average: number };
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly '2xx': number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const KEY = 'bench-key-0123456789abcdef';
/** A dashboard-like query: last hour's logins (about 35 rows from the default sandbox data, one page). */
const QUERY = 'type:login since 1h';

/** Starts `script` in a child node process and resolves with the URL it prints. */
function startChild(
  script: string,
  env: Record<string, string>,
): Promise<{ url: string; bareUrl: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    let started = false;
    const timer = setTimeout(
      () => reject(new Error(`server did not start: ${err.slice(-500)}`)),
      30_000,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      // Once started, the output is only drained, keeping its tail for an exit message: this
      // process runs the load generator, so it should not keep scanning a growing string.
      err = (err + chunk.toString()).slice(started ? -500 : -100_000);
      if (started) return;
      const m = /listening on (http:\/\/[^\s]+)/.exec(err);
      const b = /bare on (http:\/\/[^\s]+)/.exec(err);
      if (m?.[1] !== undefined && b?.[1] !== undefined) {
        started = true;
        clearTimeout(timer);
        resolve({ url: m[1], bareUrl: b[1], child });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${err.slice(-500)}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
  });
}

/**
 * One child process serves both the bare Fastify route and the baql server (on the embedded
 * sandbox), so both run under the same CPU share of this shared machine.
 */
const SERVERS = `
import Fastify from 'fastify';
import { openSession } from '@baql/runtime';
import { createServer, upstreamClientOptions } from '@baql/server';
const session = await openSession({ profile: 'sandbox', client: upstreamClientOptions() });
const app = createServer({ session, closeSession: true, logger: true });
const url = await app.listen({ port: 0, host: '127.0.0.1' });
const sample = await app.inject({
  method: 'POST',
  url: '/v1/query:compile',
  headers: { authorization: 'Bearer ${KEY}', 'content-type': 'application/json' },
  payload: { query: 'type:login since 1d' },
});
if (sample.statusCode !== 200) throw new Error('compile answered ' + sample.statusCode);
const answer = JSON.parse(sample.body);
const bare = Fastify();
bare.post('/bare', async () => answer);
const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });
process.stderr.write('bare on ' + bareUrl + '\\n');
process.stderr.write('listening on ' + url + '\\n');
process.once('SIGTERM', async () => { await bare.close(); await app.closeGracefully(2000); });
`;

function load(
  url: string,
  path: string,
  body: unknown,
  connections: number,
  duration: number,
): Promise<AutocannonResult> {
  return autocannon({
    url: `${url}${path}`,
    method: 'POST',
    connections,
    duration,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify(body),
  });
}

const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** The server bench. */
export default async function serverBench(): Promise<readonly BenchLine[]> {
  const dir = mkdtempSync(join(tmpdir(), 'baql-bench-'));
  const keysFile = join(dir, 'keys.json');
  writeFileSync(
    keysFile,
    JSON.stringify([
      {
        name: 'bench',
        sha256: createHash('sha256').update(KEY).digest('hex'),
        rateLimit: { max: 1e9, windowMs: 1000 },
      },
    ]),
  );
  const env = {
    BAQL_API_KEYS_FILE: keysFile,
    BAQL_CONFIG: join(dir, 'none.json'),
    BAQL_PROFILE: 'sandbox',
  };
  writeFileSync(join(dir, 'none.json'), '{}');
  const { url, child, bareUrl } = await startChild(SERVERS, env);
  try {
    const compileBody = { query: 'type:login since 1d' };
    // Warm up both routes (JIT, token, sandbox caches).
    await load(bareUrl, '/bare', compileBody, 10, 2);
    await load(url, '/v1/query:compile', compileBody, 10, 2);
    // Alternate short runs and keep the median of each, so load spikes from other processes
    // on this shared machine hit both sides alike.
    const bareRates: number[] = [];
    const compileRates: number[] = [];
    let compileNon2xx = 0;
    for (let round = 0; round < 3; round += 1) {
      bareRates.push((await load(bareUrl, '/bare', compileBody, 10, 2)).requests.average);
      const run = await load(url, '/v1/query:compile', compileBody, 10, 2);
      compileRates.push(run.requests.average);
      compileNon2xx += run.non2xx + run.errors;
    }
    const bareRate = median(bareRates);
    const compileRate = median(compileRates);
    const bare50 = await load(bareUrl, '/bare', compileBody, 50, 4);
    const queryRun = await load(url, '/v1/query', { query: QUERY, limit: 100 }, 50, 8);
    const compileRatio = compileRate / bareRate;
    const failures = queryRun.errors + queryRun.timeouts + queryRun.non2xx;
    return [
      {
        name: 'POST /v1/query:compile vs bare Fastify route (10 connections, median of 3 alternating 2 s runs)',
        value: compileRate,
        baseline: bareRate,
        unit: 'req/s',
        target: '≥ 0.6× of the bare route',
        met: compileRatio >= 0.6 && compileNon2xx === 0,
        ratio: compileRatio,
      },
      {
        name: `POST /v1/query "${QUERY}" (sandbox, 50 connections, ${queryRun.requests.total} requests) p99 vs bare route p99`,
        value: queryRun.latency.p99,
        baseline: bare50.latency.p99,
        unit: 'ms',
        target: 'reported (0 errors is the target)',
        met: true,
      },
      {
        name: 'POST /v1/query (sandbox, 50 connections) errors + timeouts + non-2xx',
        value: failures,
        baseline: 0,
        unit: 'errors',
        target: '0 errors',
        met: failures === 0 && queryRun['2xx'] > 0,
        ratio: failures,
      },
    ];
  } finally {
    await stop(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Bench of the `baql` CLI (issue 6):
 * - time from process start to the REPL's first prompt, in a pseudo-terminal, beside `node -e 0`
 *   started the same way (target ≤ 4×);
 * - `baql run` streaming 100 000 rows as ndjson (a new process: start, config, token, rows), beside
 *   the core executor alone (also its own process) consuming the same rows from the same sandbox,
 *   best of two interleaved rounds each (target ≤ 1.2×).
 */
import { spawn as spawnChild } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '@baql/sandbox';
import { spawn as spawnPty } from 'node-pty';
import type { BenchLine } from '../measure.js';

/** The median of `runs` values produced by `fn` (each run measures itself). */
async function medianOf(fn: () => Promise<number>, runs: number): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < runs; i += 1) values.push(await fn());
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)] ?? Number.NaN;
}

const BIN = fileURLToPath(new URL('../../../../apps/cli/dist/bin.js', import.meta.url));
const ROWS = 100_000;
const QUERY = `kind:* since 85d | limit ${ROWS}`;

/** Milliseconds from spawning `args` in a pty until `done` says so (prompt seen or exit). */
function ptyTime(
  args: readonly string[],
  until: 'prompt' | 'exit',
  env: Record<string, string>,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const pty = spawnPty(process.execPath, [...args], {
      cols: 100,
      rows: 30,
      cwd: env.HOME ?? tmpdir(),
      env,
    });
    let out = '';
    const timer = setTimeout(() => {
      pty.kill();
      reject(new Error(`no ${until} within 20 s: ${out.slice(-300)}`));
    }, 20_000);
    pty.onData((d) => {
      out += d;
      if (until === 'prompt' && out.includes('baql>')) {
        const ms = performance.now() - start;
        clearTimeout(timer);
        pty.write('\x04');
        pty.onExit(() => resolve(ms));
      }
    });
    if (until === 'exit') {
      pty.onExit(() => {
        clearTimeout(timer);
        resolve(performance.now() - start);
      });
    }
  });
}

/**
 * Runs `baql run … --format ndjson` with its stdout on `outPath` (a file, or /dev/null so the
 * bench process, which also serves the sandbox, does not compete for the rows); resolves to ms.
 */
function runBaql(cwd: string, env: Record<string, string>, outPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const out = openSync(outPath, 'w');
    const start = performance.now();
    const args = [BIN, 'run', '-e', QUERY, '--profile', 'bench', '--format', 'ndjson'];
    const child = spawnChild(process.execPath, args, { cwd, env, stdio: ['ignore', out, 'pipe'] });
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      closeSync(out);
      if (code !== 0) reject(new Error(`baql run exited ${code}: ${err.slice(0, 500)}`));
      else resolve(performance.now() - start);
    });
  });
}

/** Removes a directory the suite made (its processes have exited by then). */
const remove = (dir: string) => rmSync(dir, { recursive: true, force: true, maxRetries: 3 });

/** The suite, in a private HOME that is removed when it ends, pass or fail. */
export default async function cli(): Promise<readonly BenchLine[]> {
  const home = mkdtempSync(join(tmpdir(), 'cli-bench-home-'));
  try {
    return await bench(home);
  } finally {
    remove(home);
  }
}

async function bench(home: string): Promise<readonly BenchLine[]> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    TERM: 'xterm-256color',
    BAQL_PAGER: 'cat',
    // The sandbox's generated data is cached once per machine, as for a user.
    BAQL_CACHE_DIR: process.env.BAQL_CACHE_DIR ?? join(homedir(), '.cache', 'baql'),
  };
  const lines: BenchLine[] = [];

  // 1. Start to first prompt vs `node -e 0`, both in a pseudo-terminal, interleaved.
  await ptyTime([BIN], 'prompt', env); // warm the file cache
  const prompt = await medianOf(() => ptyTime([BIN], 'prompt', env), 7);
  const bare = await medianOf(() => ptyTime(['-e', '0'], 'exit', env), 7);
  lines.push({
    name: 'REPL start to first prompt vs node -e 0',
    value: prompt,
    baseline: bare,
    unit: 'ms',
    target: '≤ 4×',
    met: prompt <= 4 * bare,
  });

  // 2. `baql run` streaming 100k rows to ndjson vs the core executor alone, same sandbox.
  const sandbox = await startSandbox({ port: 0 });
  const cwd = mkdtempSync(join(tmpdir(), 'cli-bench-run-'));
  try {
    writeFileSync(
      join(cwd, 'baql.config.json'),
      JSON.stringify({
        profiles: {
          bench: {
            baseUrl: sandbox.url,
            clientId: sandbox.clientId,
            institutionId: sandbox.institutionId,
            clientSecretEnv: 'BENCH_CLIENT_SECRET',
          },
        },
      }),
    );
    const runEnv = { ...env, HOME: cwd, BENCH_CLIENT_SECRET: sandbox.clientSecret };
    // The baseline: the core executor alone, in its own process like baql (so both pay a process
    // start and both run beside, not inside, the sandbox's event loop), discarding the rows.
    const coreScript = join(cwd, 'core-alone.mjs');
    writeFileSync(
      coreScript,
      [
        `import { createClient } from ${JSON.stringify(import.meta.resolve('@baql/core'))};`,
        `const client = createClient({ ...${JSON.stringify({ baseUrl: sandbox.url, clientId: sandbox.clientId, institutionId: sandbox.institutionId })}, clientSecret: process.env.BENCH_CLIENT_SECRET });`,
        'let n = 0;',
        `for await (const _row of client.stream(${JSON.stringify(QUERY)})) n += 1;`,
        'await client.close();',
        `if (n !== ${ROWS}) { console.error('core returned ' + n + ' rows'); process.exit(1); }`,
      ].join('\n'),
    );
    const coreAlone = () =>
      new Promise<number>((resolve, reject) => {
        const start = performance.now();
        const child = spawnChild(process.execPath, [coreScript], {
          cwd,
          env: runEnv,
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        child.on('error', reject);
        child.on('close', (code) =>
          code === 0
            ? resolve(performance.now() - start)
            : reject(new Error(`core run exited ${code}`)),
        );
      });
    // Interleaved rounds (the machine is shared: load drifts), best of each side. The first baql
    // run writes a file, which proves the output: exactly ROWS ndjson lines.
    const proof = join(cwd, 'rows.ndjson');
    const cliTimes: number[] = [];
    const coreTimes: number[] = [];
    for (let round = 0; round < 2; round += 1) {
      coreTimes.push(await coreAlone());
      cliTimes.push(await runBaql(cwd, runEnv, round === 0 ? proof : '/dev/null'));
    }
    const seen = readFileSync(proof, 'utf8').split('\n').filter(Boolean).length;
    if (seen !== ROWS) throw new Error(`baql run printed ${seen} rows, not ${ROWS}`);
    const cliMs = Math.min(...cliTimes);
    const coreMs = Math.min(...coreTimes);
    lines.push({
      name: `baql run → ndjson, ${ROWS.toLocaleString('en-US')} rows vs core executor alone`,
      value: cliMs,
      baseline: coreMs,
      unit: 'ms',
      target: '≤ 1.2×',
      met: cliMs <= 1.2 * coreMs,
    });
  } finally {
    await sandbox.close();
    remove(cwd);
  }
  return lines;
}

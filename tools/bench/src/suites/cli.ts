/**
 * Bench of the `baql` CLI (issue 6):
 * - time from process start to the REPL's first prompt, in a pseudo-terminal, beside `node -e 0`
 *   started the same way (target ≤ 4×);
 * - `baql run` streaming 100 000 rows as ndjson into a pipe, beside the core executor alone
 *   consuming the same rows in-process from the same sandbox (target ≤ 1.2×).
 */
import { spawn as spawnChild } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@baql/core';
import { startSandbox } from '@baql/sandbox';
import { spawn as spawnPty } from 'node-pty';
import { medianMs, type BenchLine } from '../measure.js';

const BIN = fileURLToPath(new URL('../../../../apps/cli/dist/bin.js', import.meta.url));
const ROWS = 100_000;
const QUERY = `kind:* since 90d | limit ${ROWS}`;

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

/** Runs `baql run` and drains its stdout; resolves to the milliseconds and the lines seen. */
function runBaql(cwd: string, env: Record<string, string>): Promise<{ ms: number; lines: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawnChild(
      process.execPath,
      [BIN, 'run', '-e', QUERY, '--profile', 'bench', '--format', 'ndjson'],
      {
        cwd,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let lines = 0;
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines += 1;
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`baql run exited ${code}: ${err.slice(0, 500)}`));
      else resolve({ ms: performance.now() - start, lines });
    });
  });
}

export default async function cli(): Promise<readonly BenchLine[]> {
  const home = mkdtempSync(join(tmpdir(), 'baql-bench-cli-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    TERM: 'xterm-256color',
    BAQL_PAGER: 'cat',
    ...(process.env.BAQL_CACHE_DIR ? { BAQL_CACHE_DIR: process.env.BAQL_CACHE_DIR } : {}),
  };
  const lines: BenchLine[] = [];

  // 1. Start to first prompt vs `node -e 0`, both in a pseudo-terminal, interleaved.
  await ptyTime([BIN], 'prompt', env); // warm the file cache
  const prompt = await medianMs(() => ptyTime([BIN], 'prompt', env), 7);
  const bare = await medianMs(() => ptyTime(['-e', '0'], 'exit', env), 7);
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
  try {
    const cwd = mkdtempSync(join(tmpdir(), 'baql-bench-run-'));
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
    const client = createClient({
      baseUrl: sandbox.url,
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      institutionId: sandbox.institutionId,
    });
    const core = async () => {
      let n = 0;
      for await (const _row of client.stream(QUERY)) n += 1;
      if (n < ROWS) throw new Error(`the sandbox returned ${n} rows, fewer than ${ROWS}`);
    };
    await core(); // warm the sandbox's page cache and the token
    let seen = 0;
    const cliMs = await medianMs(async () => {
      seen = (await runBaql(cwd, runEnv)).lines;
    }, 3);
    const coreMs = await medianMs(core, 3);
    await client.close();
    if (seen < ROWS) throw new Error(`baql run printed ${seen} rows, fewer than ${ROWS}`);
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
  }
  return lines;
}

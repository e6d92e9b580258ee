#!/usr/bin/env node
/**
 * `npm run bench`: runs every suite in `suites/` (or those named on the command line) and prints
 * each figure beside its same-run baseline. Never a test: it reports, it does not fail the build.
 *
 * Each suite runs in a fresh Node process, so no suite measures code the JIT specialised for an
 * earlier suite (the query suite after the core suite's queries, say) or a heap an earlier suite
 * filled; the figures do not depend on which suites ran before.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatLine, type BenchSuite } from './measure.js';

const suitesDir = join(dirname(fileURLToPath(import.meta.url)), 'suites');
const ONE = '--one-suite';

/** Runs one suite in this process, prints its lines; the exit code is the number of misses. */
async function runOne(file: string): Promise<number> {
  const suite = (await import(pathToFileURL(join(suitesDir, file)).href)) as {
    default: BenchSuite;
  };
  let missed = 0;
  try {
    for (const line of await suite.default()) {
      console.log(formatLine(line));
      if (!line.met) missed += 1;
    }
  } catch (error) {
    missed += 1;
    console.log(`suite failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return missed;
}

if (process.argv[2] === ONE) {
  process.exitCode = Math.min(await runOne(process.argv[3] ?? ''), 100);
} else {
  const wanted = process.argv.slice(2);
  const files = readdirSync(suitesDir)
    .filter((f) => f.endsWith('.js'))
    .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
    .sort();
  let missed = 0;
  for (const file of files) {
    console.log(`\n## ${file.replace(/\.js$/, '')}`);
    const run = spawnSync(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), ONE, file],
      { stdio: 'inherit' },
    );
    if (run.status === null) {
      missed += 1;
      console.log(`suite failed: its process ended by ${run.signal ?? 'an error'}`);
    } else missed += run.status;
  }
  console.log(`\n${missed === 0 ? 'all targets met' : `${missed} target(s) missed`}`);
}

#!/usr/bin/env node
/**
 * `npm run bench`: runs every suite in `suites/` (or those named on the command line) and prints
 * each figure beside its same-run baseline. Never a test: it reports, it does not fail the build.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatLine, type BenchSuite } from './measure.js';

const suitesDir = join(dirname(fileURLToPath(import.meta.url)), 'suites');
const wanted = process.argv.slice(2);
const files = readdirSync(suitesDir)
  .filter((f) => f.endsWith('.js'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

let missed = 0;
for (const file of files) {
  const suite = (await import(pathToFileURL(join(suitesDir, file)).href)) as {
    default: BenchSuite;
  };
  console.log(`\n## ${file.replace(/\.js$/, '')}`);
  try {
    for (const line of await suite.default()) {
      console.log(formatLine(line));
      if (!line.met) missed += 1;
    }
  } catch (error) {
    missed += 1;
    console.log(`suite failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
console.log(`\n${missed === 0 ? 'all targets met' : `${missed} target(s) missed`}`);

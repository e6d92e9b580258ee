#!/usr/bin/env node
// The one test command (README: `npm test`): format check, lint, typecheck and build of every
// project through Nx, then every vitest project with coverage. Ends with the line our CI reads:
// `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', env }).status ?? 1;

let failedChecks = 0;
const step = (name, cmd, args) => {
  console.log(`\n=== ${name}`);
  const status = run(cmd, args);
  if (status !== 0) {
    failedChecks += 1;
    console.log(`=== ${name}: FAILED (exit ${status})`);
  }
  return status;
};

step('format', 'npx', ['prettier', '--check', '.']);
step('lint + typecheck', 'npx', [
  'nx',
  'run-many',
  '-t',
  'lint',
  'typecheck',
  '--outputStyle=static',
]);
const built = step('build', 'npx', ['tsc', '-b', 'tsconfig.build.json']);

const results = '.vitest-results.json';
rmSync(results, { force: true });
if (built === 0) {
  step('tests', 'npx', [
    'vitest',
    'run',
    '--coverage',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${results}`,
  ]);
}

let passed = 0;
let failed = 0;
if (existsSync(results)) {
  const report = JSON.parse(readFileSync(results, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0);
}
// A failed format/lint/typecheck/build step counts as a failed check.
failed += failedChecks;
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);

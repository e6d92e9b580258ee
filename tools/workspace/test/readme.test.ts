import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (p: string) => readFileSync(`${root}${p}`, 'utf8');

describe('the README keeps its promises', () => {
  const readme = read('README.md');
  const pkg = JSON.parse(read('package.json')) as {
    scripts: Record<string, string>;
    engines: { node: string };
  };

  it('gives exactly the two quick-start commands', () => {
    const quick = readme.split('## Quick start')[1]?.split('\n## ')[0] ?? '';
    const commands = quick.split('\n').filter((l) => l.startsWith('npm '));
    expect(commands.map((c) => c.split('#')[0]?.trim())).toEqual([
      'npm ci && npm start',
      'npm ci && npm test',
    ]);
  });

  it('runs the README test command in CI', () => {
    expect(read('.ci/run')).toMatch(/^timeout \d+ npm test$/m);
    expect(pkg.scripts.test).toBeDefined();
    expect(pkg.scripts.start).toContain('apps/cli/dist/bin.js');
  });

  it('declares the Node versions we support in engines and .nvmrc', () => {
    expect(pkg.engines.node).toBe('>=20.19.0');
    expect(read('.nvmrc').trim()).toMatch(/^20\.(19|[2-9]\d)\./);
  });
});

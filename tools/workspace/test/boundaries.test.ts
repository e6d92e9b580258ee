import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** Lints `code` as if it were the file at `path` (relative to the repo root). */
async function boundaryErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${path}` });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === '@nx/enforce-module-boundaries')
    .map((m) => m.message);
}

describe('module boundaries (eslint @nx/enforce-module-boundaries)', () => {
  it('forbids @baql/query from importing any other project of ours', async () => {
    const errors = await boundaryErrors(
      'packages/query/src/forbidden.ts',
      "import { createClient } from '@baql/core';\nexport const c = createClient;\n",
    );
    // Every project depends on query, so Nx reports this as a cycle as well as a tag violation.
    expect(errors.join('\n')).toMatch(/scope:query|constrained|circular/i);
  });

  it('enforces the tag constraints (a plugin may only use core and query)', async () => {
    const errors = await boundaryErrors(
      'packages/plugin-fraud/src/forbidden.ts',
      "import { startSandbox } from '@baql/sandbox';\nexport const s = startSandbox;\n",
    );
    expect(errors.join('\n')).toMatch(/scope:plugin/);
  });

  it('forbids @baql/core from importing the sandbox (library users must not pull SQLite)', async () => {
    const errors = await boundaryErrors(
      'packages/core/src/forbidden.ts',
      "import { startSandbox } from '@baql/sandbox';\nexport const s = startSandbox;\n",
    );
    expect(errors.length).toBeGreaterThan(0);
  });

  it('forbids a package from importing an app', async () => {
    const errors = await boundaryErrors(
      'packages/core/src/forbidden.ts',
      "import * as cli from 'baql';\nexport const c = cli;\n",
    );
    expect(errors.length).toBeGreaterThan(0);
  });

  it('forbids relative imports across projects', async () => {
    const errors = await boundaryErrors(
      'packages/core/src/forbidden.ts',
      "import * as q from '../../query/src/contract.js';\nexport const x = q;\n",
    );
    expect(errors.length).toBeGreaterThan(0);
  });

  it('allows an app to import a package', async () => {
    const errors = await boundaryErrors(
      'apps/server/src/allowed.ts',
      "import { DEFAULT_SCOPES } from '@baql/query';\nexport const s = DEFAULT_SCOPES;\n",
    );
    expect(errors).toEqual([]);
  });
});

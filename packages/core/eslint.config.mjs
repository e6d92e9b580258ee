// This package's lint config: the workspace rules, plus narrow exceptions for files that are not
// shipped (see the comments). Run `npx eslint .` from this directory (or `npx nx lint`).
import root, { depConstraints } from '../../eslint.config.mjs';

export default [
  ...root,
  {
    // Tests run against the real sandbox over HTTP: they (and only they) may import @baql/sandbox.
    files: ['test/**/*.ts', 'src/**/*.test.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: depConstraints.map((c) =>
            c.sourceTag === 'scope:core' || c.sourceTag === 'scope:plugin'
              ? { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'scope:sandbox'] }
              : c,
          ),
        },
      ],
    },
  },
  {
    // Config files share the workspace's settings by relative path.
    files: ['vitest.config.ts', 'eslint.config.mjs'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];

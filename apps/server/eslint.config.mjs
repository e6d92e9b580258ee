// This project's lint config: the workspace rules, plus one exception for config files.
import root from '../../eslint.config.mjs';

export default [
  ...root,
  {
    // Config files share the workspace's settings by relative path.
    files: ['vitest.config.ts', 'eslint.config.mjs'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];

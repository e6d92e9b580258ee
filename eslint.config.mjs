// ESLint flat config: typescript-eslint for code quality, Nx module boundaries for architecture,
// eslint-config-prettier so formatting is Prettier's job alone.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** The dependency rules of the workspace (see README "Development"). */
export const depConstraints = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
  // The query language is pure: it depends on no other project of ours.
  { sourceTag: 'scope:query', onlyDependOnLibsWithTags: [] },
  // The emulated upstream must not share the client's bugs; library users must not pull SQLite.
  { sourceTag: 'scope:sandbox', onlyDependOnLibsWithTags: ['scope:query'] },
  { sourceTag: 'scope:core', onlyDependOnLibsWithTags: ['scope:query'] },
  { sourceTag: 'scope:plugin', onlyDependOnLibsWithTags: ['scope:core', 'scope:query'] },
];

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '.nx/**', '**/*.d.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts', '**/*.js', '**/*.mjs'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: [], depConstraints },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Tests talk real HTTP to the sandbox: test files (never shipped code) may import it.
    files: ['**/test/**/*.ts', '**/*.test.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: depConstraints.map((c) =>
            c.sourceTag === 'scope:sandbox' || c.sourceTag === 'scope:query'
              ? c
              : {
                  ...c,
                  onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'scope:sandbox'],
                },
          ),
        },
      ],
    },
  },
  {
    // Per-project config files share the workspace's settings by relative path.
    files: ['**/vitest.config.ts', '**/eslint.config.mjs'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  prettier,
);

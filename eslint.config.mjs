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
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  prettier,
);

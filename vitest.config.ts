import { defineConfig } from 'vitest/config';

/** One vitest project per workspace package; `npm test` runs them all with coverage. */
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'tools/*'],
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**', 'apps/*/src/**'],
      reporter: ['text-summary'],
    },
  },
});

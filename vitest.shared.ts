/**
 * Resolve workspace packages to their TypeScript sources in tests (the `@baql/source`
 * export condition), so a test never needs a prior build of its dependencies.
 */
export const sourceConditions = ['@baql/source', 'node', 'import', 'module', 'default'];

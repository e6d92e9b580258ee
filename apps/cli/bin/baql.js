#!/usr/bin/env node
// The `baql` executable that npm links at install time. It must exist before the build (npm only
// links bins whose file exists), so it is this small committed launcher; it runs the compiled CLI,
// dist/bin.js from src/bin.ts, which `npm ci` builds through the root `prepare` script.
try {
  await import('../dist/bin.js');
} catch (error) {
  if (
    error &&
    error.code === 'ERR_MODULE_NOT_FOUND' &&
    /dist[\\/]bin\.js/.test(String(error.message))
  ) {
    console.error('baql is not built yet: run `npm run build` at the repository root.');
    process.exit(1);
  }
  throw error;
}

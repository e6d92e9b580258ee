/**
 * Temporary directories for tests, removed when the test file ends, pass or fail.
 *
 * Importing this module registers one file-level `afterAll` hook (vitest evaluates a test file's
 * imports afresh for each file). Registered before the file's own hooks, it runs after them and
 * after every `describe`'s (vitest runs after-hooks in reverse, `sequence.hooks: 'stack'`), so
 * whatever a test started in a directory (a server, a session) has stopped before
 * the directory goes.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];

/** A new directory under the OS temp dir, named `<prefix>XXXXXX`, removed when the file ends. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every directory `tempDir` has made so far (retrying while a late write lands). */
export async function removeTempDirs(): Promise<void> {
  const dirs = made.splice(0);
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true, maxRetries: 5 })));
}

afterAll(removeTempDirs);

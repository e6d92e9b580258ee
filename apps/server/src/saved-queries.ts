/**
 * Saved queries: the `.baql` files under a directory (subdirectories included), read exactly as
 * every other app reads them, with `parseSavedQuery` of `@baql/query`: a header of `#` lines
 * (`name`, `description`, `owner`, `tags`, `param`), then the query.
 *
 * ```
 * # name: failed-mfa-for-user
 * # description: Failed MFA challenges of one user
 * # param user: string required -- the user's login id
 * # param window: duration = 7d -- how far back
 * type:mfaChallenge user:$user since $window
 * ```
 *
 * A file the shared parser rejects (e.g. the retired `# param: user (string, required)` spelling)
 * is still listed, with the parser's error diagnostics (line and column in the file) as its
 * `problems`, and refused when run, so a file works in the server exactly when `baql check`
 * accepts its header. A query is named by its `name` header, else its file name without `.baql`.
 *
 * @module
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseSavedQuery, type Diagnostic, type ParamSpec } from '@baql/query';

/** A saved query name. */
export const SAVED_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/** A saved-query file as the routes serve it. */
export interface SavedEntry {
  readonly name: string;
  readonly description?: string;
  readonly owner?: string;
  readonly tags: readonly string[];
  readonly params: readonly ParamSpec[];
  readonly query: string;
  /** The header errors of `parseSavedQuery` (spans in the file); the query is refused when run. */
  readonly problems: readonly Diagnostic[];
}

/** Reads a saved-query file with `parseSavedQuery`; `fallbackName` names it when the header does not. */
export function parseSavedFile(text: string, fallbackName: string): SavedEntry {
  const { meta, query, diagnostics } = parseSavedQuery(text);
  return {
    name: meta.name !== undefined && SAVED_NAME.test(meta.name) ? meta.name : fallbackName,
    ...(meta.description === undefined ? {} : { description: meta.description }),
    ...(meta.owner === undefined ? {} : { owner: meta.owner }),
    tags: meta.tags,
    params: meta.params,
    query: query.trim(),
    problems: diagnostics.filter((d) => d.severity === 'error'),
  };
}

/** `line L, column C: message` of each problem, for a problem `detail` or a log line. */
export function describeProblems(problems: readonly Diagnostic[]): string {
  return problems
    .map((d) => `line ${d.span.start.line}, column ${d.span.start.column}: ${d.message}`)
    .join('; ');
}

async function files(dir: string, depth: number): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (e.isDirectory() && depth < 4) out.push(...(await files(path, depth + 1)));
    else if (e.isFile() && e.name.endsWith('.baql')) out.push(path);
  }
  return out;
}

/** Every saved query under `dir`, sorted by name (the first file wins a duplicate name). */
export async function listSaved(dir: string | undefined): Promise<SavedEntry[]> {
  if (dir === undefined) return [];
  const byName = new Map<string, SavedEntry>();
  for (const path of await files(dir, 0)) {
    const fallback = basename(path, '.baql');
    if (!SAVED_NAME.test(fallback)) continue;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      continue;
    }
    const saved = parseSavedFile(text, fallback);
    if (!byName.has(saved.name)) byName.set(saved.name, saved);
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The saved query `name` under `dir`, or `undefined`. */
export async function loadSaved(
  dir: string | undefined,
  name: string,
): Promise<SavedEntry | undefined> {
  if (!SAVED_NAME.test(name)) return undefined;
  return (await listSaved(dir)).find((q) => q.name === name);
}

/**
 * Saved query files (`.baql`) for the CLI and REPL. The format — a header of `#` metadata lines,
 * then one query — is parsed, bound, formatted and checked by `@baql/query` (`parseSavedQuery`,
 * `bindParams`, `format`, `checkSavedQuery`), so every app reads the files the same way:
 *
 * ```
 * # name: failed-mfa-for-user
 * # description: Failed MFA challenges of one user
 * # owner: support
 * # tags: support, mfa
 * # param user: string required -- the user's login id
 * # param window: duration = 7d -- how far back
 *
 * type:mfaChallenge result:Failure user:$user since $window
 * ```
 *
 * This module adds what only the CLI needs: finding files, binding `k=v` strings with a message
 * that names what is missing, and writing the file `\save` creates.
 */
import { readdirSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import type { ParamSpec, ParamValue, SavedQuery } from '@baql/query';
import type { Query } from './lang.js';

export type { SavedQuery };

/**
 * Binds `--param k=v` strings to a saved query's declared parameters (defaults, types). A missing
 * required parameter or a value of the wrong type is an error message that names it.
 */
export function bindSavedParams(
  q: Query,
  saved: SavedQuery,
  given: Readonly<Record<string, string>>,
): { params: Record<string, ParamValue> } | { error: string } {
  const bound = q.bindParams(saved.meta.params, given);
  if (bound._tag === 'Right') return { params: bound.right };
  return {
    error: bound.left
      .map((d) => `${d.message}${d.hints.length > 0 ? ` (${d.hints.join('; ')})` : ''}`)
      .join('\n'),
  };
}

/** The `$name` parameters a query uses (outside quotes and comments), in order of appearance. */
export function usedParams(query: string): string[] {
  const names = new Set<string>();
  const stripped = query.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/#.*$/gm, '');
  for (const m of stripped.matchAll(/\$([A-Za-z_]\w*)/g)) names.add(m[1] ?? '');
  return [...names];
}

/**
 * The text `\save` writes: a header naming the query, its parameters declared (the values set
 * with `\set` become defaults; the others are required), then the query — all in canonical form.
 */
export function savedQueryText(
  q: Query,
  options: {
    name: string;
    query: string;
    params: Readonly<Record<string, string>>;
    owner?: string | undefined;
  },
): string {
  const params: ParamSpec[] = usedParams(options.query).map((name) => {
    const value = options.params[name];
    return value === undefined
      ? { name, type: 'string', required: true }
      : { name, type: 'string', required: false, default: value };
  });
  const header = q.formatHeader({
    name: options.name,
    description: `saved from the REPL on ${new Date().toISOString().slice(0, 10)}`,
    ...(options.owner ? { owner: options.owner } : {}),
    tags: [],
    params,
  });
  return safeFormat(q, `${header}${options.query.trim()}\n`);
}

/** Formats with the language's formatter, keeping the text when it does not parse. */
export function safeFormat(q: Query, text: string): string {
  try {
    return q.format(text);
  } catch {
    return text;
  }
}

/** Finds a saved query by name (`dir/name.baql`) or path. */
export function findSavedQuery(dir: string, cwd: string, name: string): string | undefined {
  const candidates = [resolve(cwd, name), join(dir, name), join(dir, `${name}.baql`)];
  return candidates.find((p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  });
}

/** Every `.baql` file under `paths` (files as given, directories recursively), sorted. */
export function collectBaqlFiles(
  paths: readonly string[],
  cwd: string,
): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (extname(entry.name) === '.baql') files.push(full);
    }
  };
  for (const p of paths) {
    const full = resolve(cwd, p);
    try {
      if (statSync(full).isDirectory()) walk(full);
      else files.push(full);
    } catch {
      missing.push(p);
    }
  }
  return { files: [...new Set(files)].sort(), missing };
}

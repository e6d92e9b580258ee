/**
 * Saved queries: the `.baql` files of a directory, named by file name, parsed with
 * `parseSavedQuery` from `@baql/query` (header metadata, typed parameters, query text).
 *
 * @module
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseSaved, type SavedParam, type SavedQuery } from './language.js';

/** A saved query name: the file name without `.baql`. */
export const SAVED_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

function normalise(name: string, fileText: string): SavedQuery {
  const parsed = parseSaved(fileText) as
    | {
        readonly meta?: Readonly<Record<string, unknown>>;
        readonly metadata?: Readonly<Record<string, unknown>>;
        readonly description?: unknown;
        readonly params?: unknown;
        readonly parameters?: unknown;
        readonly query?: unknown;
        readonly text?: unknown;
        readonly diagnostics?: unknown;
      }
    | undefined;
  if (parsed === undefined) return { name, params: [], query: fileText };
  const meta = parsed.meta ?? parsed.metadata ?? {};
  const description =
    typeof parsed.description === 'string'
      ? parsed.description
      : typeof meta['description'] === 'string'
        ? meta['description']
        : undefined;
  const rawParams = parsed.params ?? parsed.parameters ?? [];
  const params: SavedParam[] = Array.isArray(rawParams)
    ? rawParams.filter(
        (p): p is SavedParam =>
          typeof p === 'object' && p !== null && typeof (p as { name?: unknown }).name === 'string',
      )
    : typeof rawParams === 'object' && rawParams !== null
      ? Object.entries(rawParams).map(([pname, spec]) => ({
          name: pname,
          ...(typeof spec === 'object' && spec !== null ? spec : {}),
        }))
      : [];
  const query =
    typeof parsed.query === 'string'
      ? parsed.query
      : typeof parsed.text === 'string'
        ? parsed.text
        : fileText;
  return {
    name,
    ...(description === undefined ? {} : { description }),
    params,
    query,
    ...(Array.isArray(parsed.diagnostics) && parsed.diagnostics.length > 0
      ? { diagnostics: parsed.diagnostics }
      : {}),
  };
}

/** Every saved query of `dir`, sorted by name. A missing directory holds none. */
export async function listSaved(dir: string | undefined): Promise<SavedQuery[]> {
  if (dir === undefined) return [];
  let files: string[];
  try {
    files = await readdir(dir);
  } catch {
    return [];
  }
  const names = files
    .filter((f) => f.endsWith('.baql'))
    .map((f) => f.slice(0, -'.baql'.length))
    .filter((n) => SAVED_NAME.test(n))
    .sort();
  const out: SavedQuery[] = [];
  for (const name of names) {
    const saved = await loadSaved(dir, name);
    if (saved !== undefined) out.push(saved);
  }
  return out;
}

/** The saved query `name` of `dir`, or `undefined`. */
export async function loadSaved(
  dir: string | undefined,
  name: string,
): Promise<SavedQuery | undefined> {
  if (dir === undefined || !SAVED_NAME.test(name) || name.startsWith('.')) return undefined;
  let text: string;
  try {
    text = await readFile(join(dir, `${name}.baql`), 'utf8');
  } catch {
    return undefined;
  }
  try {
    return normalise(name, text);
  } catch {
    return {
      name,
      params: [],
      query: text,
      diagnostics: [{ message: 'The saved query file could not be read.' }],
    };
  }
}

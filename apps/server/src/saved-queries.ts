/**
 * Saved queries: the `.baql` files under a directory (subdirectories included), in the format the
 * CLI writes: a header of `# key: value` comment lines (`name`, `description`, `owner`, `tags`,
 * `param`), then the query.
 *
 * ```
 * # name: failed-mfa-for-user
 * # description: Failed MFA challenges of one user
 * # param: user (string, required) the user's login id
 * # param: channel (string, default ONLINE) where they signed in
 * type:mfaChallenge user:$user channel:$channel since 7d
 * ```
 *
 * The shared parser, `parseSavedQuery` of `@baql/query` (`# param user: string required -- …`),
 * is tried first; a file it cannot read is read in the CLI's header format
 * (`# param: user (string, required) …`), so both spellings in the repository work.
 * A query is named by its `name` header, else its file name without `.baql`.
 *
 * @module
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { checkParamValue, parseSavedQuery, type ParamType } from '@baql/query';

/** A saved query name. */
export const SAVED_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/** The types a parameter may declare. */
export const PARAM_TYPES = ['string', 'number', 'boolean', 'time', 'duration'] as const;

/** A declared parameter. */
export interface SavedParam {
  readonly name: string;
  readonly type: (typeof PARAM_TYPES)[number] | ParamType;
  readonly required: boolean;
  readonly default?: string;
  readonly description?: string;
}

/** A parsed saved-query file. */
export interface SavedQuery {
  readonly name: string;
  readonly description?: string;
  readonly owner?: string;
  readonly tags: readonly string[];
  readonly params: readonly SavedParam[];
  readonly query: string;
  /** Problems of the header (the query is still listed, and refused when run). */
  readonly problems: readonly string[];
}

const HEADER = /^#\s*(name|description|owner|tags|param)\s*:\s*(.*)$/i;
const PARAM = /^\$?([A-Za-z_]\w*)\s*(?:\(([^)]*)\))?\s*(.*)$/;

function parseParam(text: string): SavedParam | string {
  const m = PARAM.exec(text);
  if (m === null) return `cannot read parameter "${text}"`;
  const name = m[1] ?? '';
  const parts = (m[2] ?? 'string')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const type = (parts[0] ?? 'string').toLowerCase();
  if (!(PARAM_TYPES as readonly string[]).includes(type))
    return `unknown type "${type}" for $${name}`;
  let required = false;
  let def: string | undefined;
  for (const part of parts.slice(1)) {
    if (part.toLowerCase() === 'required') required = true;
    else if (/^default\b/i.test(part)) def = part.replace(/^default\s*[:=]?\s*/i, '');
    else if (part.toLowerCase() !== 'optional') return `unknown option "${part}" for $${name}`;
  }
  return {
    name,
    type: type as SavedParam['type'],
    required: required && def === undefined,
    ...(def === undefined ? {} : { default: def }),
    ...(m[3] ? { description: m[3].trim() } : {}),
  };
}

/** Parses a saved-query file (either header format); `fallbackName` names it when the header does not. */
export function parseSavedFile(text: string, fallbackName: string): SavedQuery {
  const shared = parseSavedQuery(text);
  const errors = shared.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    const cli = parseCliFile(text, fallbackName);
    if (cli.problems.length === 0) return cli;
  }
  const { meta } = shared;
  return {
    name: meta.name !== undefined && SAVED_NAME.test(meta.name) ? meta.name : fallbackName,
    ...(meta.description === undefined ? {} : { description: meta.description }),
    ...(meta.owner === undefined ? {} : { owner: meta.owner }),
    tags: meta.tags,
    params: meta.params.map((p) => ({
      name: p.name,
      type: p.type,
      required: p.required,
      ...(p.default === undefined ? {} : { default: p.default }),
      ...(p.description === undefined ? {} : { description: p.description }),
    })),
    query: shared.query.trim(),
    problems: errors.map((d) => d.message),
  };
}

/** Parses a saved-query file in the CLI's header format. */
function parseCliFile(text: string, fallbackName: string): SavedQuery {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const problems: string[] = [];
  let name: string | undefined;
  let description: string | undefined;
  let owner: string | undefined;
  const tags: string[] = [];
  const params: SavedParam[] = [];
  let i = 0;
  for (; i < lines.length; i += 1) {
    const m = HEADER.exec((lines[i] ?? '').trim());
    if (m === null) break;
    const key = (m[1] ?? '').toLowerCase();
    const value = (m[2] ?? '').trim();
    if (key === 'name') name = value;
    else if (key === 'description')
      description = description === undefined ? value : `${description} ${value}`;
    else if (key === 'owner') owner = value;
    else if (key === 'tags')
      tags.push(
        ...value
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
      );
    else {
      const p = parseParam(value);
      if (typeof p === 'string') problems.push(`line ${i + 1}: ${p}`);
      else if (params.some((q) => q.name === p.name))
        problems.push(`line ${i + 1}: $${p.name} is declared twice`);
      else params.push(p);
    }
  }
  return {
    name: name !== undefined && SAVED_NAME.test(name) ? name : fallbackName,
    ...(description === undefined ? {} : { description }),
    ...(owner === undefined ? {} : { owner }),
    tags,
    params,
    query: lines.slice(i).join('\n').trim(),
    problems,
  };
}

/** Why `value` is not a valid value of `param`, or `undefined`. */
export function checkParam(param: SavedParam, value: string): string | undefined {
  if (param.type === 'number' || param.type === 'duration' || param.type === 'time') {
    const why = checkParamValue(param.type, value);
    return why === undefined ? undefined : `$${param.name}: ${why}`;
  }
  if (param.type === 'boolean') {
    return /^(true|false)$/i.test(value) ? undefined : `$${param.name} must be true or false`;
  }
  return undefined;
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
export async function listSaved(dir: string | undefined): Promise<SavedQuery[]> {
  if (dir === undefined) return [];
  const byName = new Map<string, SavedQuery>();
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
): Promise<SavedQuery | undefined> {
  if (!SAVED_NAME.test(name)) return undefined;
  return (await listSaved(dir)).find((q) => q.name === name);
}

/**
 * Saved query files (`.baql`): a header of metadata in `#` comments, then one query.
 *
 * ```
 * # name: failed-mfa-for-user
 * # description: Failed MFA challenges of one user
 * # owner: support
 * # tags: support, mfa
 * # param: user (string, required) the user's login id
 * # param: channel (string, default ONLINE) where they signed in
 * type:mfaChallenge user:$user channel:$channel since 7d
 * ```
 *
 * The header is the leading run of `# key: value` lines with a known key (`name`, `description`,
 * `owner`, `tags`, `param`); everything after it is the query, comments included. Parameter
 * types: `string`, `number`, `boolean`, `time`, `duration`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { tools, type Query } from './lang.js';

/** The types a parameter may declare. */
export const PARAM_TYPES = ['string', 'number', 'boolean', 'time', 'duration'] as const;

/** A declared parameter. */
export interface SavedParam {
  readonly name: string;
  readonly type: (typeof PARAM_TYPES)[number];
  readonly required: boolean;
  readonly default?: string;
  readonly description?: string;
}

/** A parsed saved query file. */
export interface SavedQuery {
  readonly name?: string;
  readonly description?: string;
  readonly owner?: string;
  readonly tags: readonly string[];
  readonly params: readonly SavedParam[];
  /** The query text (after the header). */
  readonly query: string;
  /** 1-based line of the file where the query starts. */
  readonly queryLine: number;
}

/** A problem in a header, at a 1-based line and column of the file. */
export interface HeaderProblem {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

const HEADER = /^#\s*(name|description|owner|tags|param)\s*:\s*(.*)$/i;
const PARAM = /^\$?([A-Za-z_][\w]*)\s*(?:\(([^)]*)\))?\s*(.*)$/;

/** Parses a saved query file's text into its header and query, with header problems. */
export function parseSavedFile(text: string): { file: SavedQuery; problems: HeaderProblem[] } {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const problems: HeaderProblem[] = [];
  const meta: {
    name?: string;
    description?: string;
    owner?: string;
    tags: string[];
    params: SavedParam[];
  } = {
    tags: [],
    params: [],
  };
  let i = 0;
  for (; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    const m = HEADER.exec(line.trim());
    if (!m) break;
    const key = (m[1] ?? '').toLowerCase();
    const value = (m[2] ?? '').trim();
    const column = line.indexOf(':') + 2;
    if (key === 'name') meta.name = value;
    else if (key === 'description')
      meta.description = meta.description ? `${meta.description} ${value}` : value;
    else if (key === 'owner') meta.owner = value;
    else if (key === 'tags')
      meta.tags.push(
        ...value
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
      );
    else {
      const param = parseParam(value);
      if (typeof param === 'string') problems.push({ line: i + 1, column, message: param });
      else if (meta.params.some((p) => p.name === param.name)) {
        problems.push({
          line: i + 1,
          column,
          message: `parameter $${param.name} is declared twice`,
        });
      } else meta.params.push(param);
    }
  }
  const queryLine = i + 1;
  const query = lines.slice(i).join('\n').trim();
  return {
    file: {
      ...(meta.name === undefined ? {} : { name: meta.name }),
      ...(meta.description === undefined ? {} : { description: meta.description }),
      ...(meta.owner === undefined ? {} : { owner: meta.owner }),
      tags: meta.tags,
      params: meta.params,
      query,
      queryLine,
    },
    problems,
  };
}

function parseParam(text: string): SavedParam | string {
  const m = PARAM.exec(text);
  if (!m) return `expected "param: name (type, required|default value) description", got "${text}"`;
  const name = m[1] ?? '';
  const parts = (m[2] ?? 'string')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const typeName = (parts[0] ?? 'string').toLowerCase();
  if (!(PARAM_TYPES as readonly string[]).includes(typeName)) {
    return `unknown type "${typeName}" for $${name} (use ${PARAM_TYPES.join(', ')})`;
  }
  let required = false;
  let def: string | undefined;
  for (const part of parts.slice(1)) {
    if (part.toLowerCase() === 'required') required = true;
    else if (/^default\b/i.test(part)) def = part.replace(/^default\s*[:=]?\s*/i, '');
    else if (part.toLowerCase() !== 'optional')
      return `unknown option "${part}" for $${name} (use required or default <value>)`;
  }
  const param: SavedParam = {
    name,
    type: typeName as SavedParam['type'],
    required: required && def === undefined,
    ...(def === undefined ? {} : { default: def }),
    ...(m[3] ? { description: m[3].trim() } : {}),
  };
  if (def !== undefined) {
    const bad = checkValue(param, def);
    if (bad) return bad;
  }
  return param;
}

/** Why `value` is not a valid `param.type`, or undefined when it is. */
export function checkValue(param: SavedParam, value: string): string | undefined {
  switch (param.type) {
    case 'number':
      return Number.isFinite(Number(value)) && value.trim() !== ''
        ? undefined
        : `$${param.name} must be a number, got "${value}"`;
    case 'boolean':
      return /^(true|false)$/i.test(value)
        ? undefined
        : `$${param.name} must be true or false, got "${value}"`;
    case 'time':
      return Number.isNaN(Date.parse(value))
        ? `$${param.name} must be an ISO 8601 time, got "${value}"`
        : undefined;
    case 'duration':
      return /^\d+[smhdw]$/.test(value)
        ? undefined
        : `$${param.name} must be a duration such as 7d or 24h, got "${value}"`;
    default:
      return undefined;
  }
}

/**
 * Binds values to a saved query's parameters: declared defaults, then `given`. A missing required
 * parameter or a value of the wrong type is an error that names it.
 */
export function bindSavedParams(
  file: SavedQuery,
  given: Readonly<Record<string, string>>,
): { params: Record<string, string> } | { error: string } {
  const params: Record<string, string> = {};
  const missing: string[] = [];
  for (const p of file.params) {
    const value = given[p.name] ?? p.default;
    if (value === undefined) {
      if (p.required) missing.push(p.name);
      continue;
    }
    const bad = checkValue(p, value);
    if (bad) return { error: bad };
    params[p.name] = value;
  }
  if (missing.length > 0) {
    const flags = missing.map((m) => `--param ${m}=…`).join(' ');
    return {
      error: `missing required parameter${missing.length > 1 ? 's' : ''} ${missing.map((m) => `$${m}`).join(', ')} (give ${flags})`,
    };
  }
  for (const [k, v] of Object.entries(given)) if (!(k in params)) params[k] = v;
  return { params };
}

/** The `$name` parameters a query uses (outside quotes and comments). */
export function usedParams(query: string): string[] {
  const names = new Set<string>();
  const stripped = query.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/#.*$/gm, '');
  for (const m of stripped.matchAll(/\$([A-Za-z_]\w*)/g)) names.add(m[1] ?? '');
  return [...names];
}

/** The canonical text of a saved query file: header, then the formatted query. */
export function savedFileText(file: SavedQuery, formatQuery: (q: string) => string): string {
  const lines: string[] = [];
  if (file.name !== undefined) lines.push(`# name: ${file.name}`);
  if (file.description !== undefined) lines.push(`# description: ${file.description}`);
  if (file.owner !== undefined) lines.push(`# owner: ${file.owner}`);
  if (file.tags.length > 0) lines.push(`# tags: ${file.tags.join(', ')}`);
  for (const p of file.params) {
    const opts = [
      p.type,
      ...(p.required ? ['required'] : []),
      ...(p.default === undefined ? [] : [`default ${p.default}`]),
    ];
    lines.push(
      `# param: ${p.name} (${opts.join(', ')})${p.description ? ` ${p.description}` : ''}`,
    );
  }
  return `${[...lines, formatQuery(file.query).trim()].join('\n')}\n`;
}

/** The text `\save` writes: the last query with its parameters declared (values as defaults). */
export function savedQueryText(
  q: Query,
  options: {
    name: string;
    query: string;
    params: Readonly<Record<string, string>>;
    owner?: string | undefined;
  },
): string {
  const used = usedParams(options.query);
  const file: SavedQuery = {
    name: options.name,
    description: `Saved from the REPL on ${new Date().toISOString().slice(0, 10)}`,
    ...(options.owner ? { owner: options.owner } : {}),
    tags: [],
    params: used.map((name) => {
      const value = options.params[name];
      return value === undefined
        ? { name, type: 'string' as const, required: true }
        : { name, type: 'string' as const, required: false, default: value };
    }),
    query: options.query,
    queryLine: 0,
  };
  return savedFileText(file, (text) => safeFormat(q, text));
}

/** Formats with the language's formatter, keeping the text when it does not parse. */
export function safeFormat(q: Query, text: string): string {
  try {
    return tools(q).format(text);
  } catch {
    return text;
  }
}

/** Reads and parses a saved query file; header problems come back as printable text. */
export function loadSavedQuery(
  _q: Query,
  path: string,
): { file: SavedQuery } | { diagnostics: string } {
  const { file, problems } = parseSavedFile(readFileSync(path, 'utf8'));
  if (problems.length > 0) {
    return {
      diagnostics: problems.map((p) => `${path}:${p.line}:${p.column}: ${p.message}`).join('\n'),
    };
  }
  return { file };
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

/** The name of a saved query: its `name:` header or its file name. */
export function savedName(path: string, file: SavedQuery): string {
  return file.name ?? basename(path, '.baql');
}

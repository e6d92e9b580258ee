/**
 * Cell magics: `%`-lines at the top of a cell, before the query.
 *
 * | magic | effect |
 * |---|---|
 * | `%profile name` | switch to another baql profile (a new session) |
 * | `%param name=value` | set a query parameter (`$name` in queries); `%param` lists them, `%param name=` removes one |
 * | `%explain` | explain the cell's query (its compiled requests) instead of running it |
 * | `%fields` / `%events` | the catalog's fields / event ids |
 * | `%values field` | the values a field takes |
 * | `%as name` | keep the result of this cell (or, alone, the last result) under `name` |
 * | `%run saved-query k=v…` | run a saved query file with parameters |
 * | `%json on|off` | include `application/json` in results (on by default) |
 * | `%display rows=N columns=N` | rows and columns result tables show (`all`, `default`); alone: the settings |
 * | `%help` | this table |
 *
 * @since 0.1.0
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';

/** One parsed magic. @since 0.1.0 */
export type Magic =
  | { readonly _tag: 'Profile'; readonly name: string }
  | { readonly _tag: 'Param'; readonly name: string; readonly value: string }
  | { readonly _tag: 'Params' }
  | { readonly _tag: 'Explain' }
  | { readonly _tag: 'Fields' }
  | { readonly _tag: 'Events' }
  | { readonly _tag: 'Values'; readonly field: string }
  | { readonly _tag: 'As'; readonly name: string }
  | {
      readonly _tag: 'Run';
      readonly name: string;
      readonly params: Readonly<Record<string, string>>;
    }
  | { readonly _tag: 'Json'; readonly on: boolean }
  | {
      readonly _tag: 'Display';
      readonly rows?: DisplayLimit;
      readonly columns?: DisplayLimit;
    }
  | { readonly _tag: 'Help' };

/**
 * A `%display` limit: a count, `all` (no limit) or `default` (back to the kernel's default).
 *
 * @since 0.1.0
 */
export type DisplayLimit = number | 'all' | 'default';

/** A cell split into its magics and its query. @since 0.1.0 */
export interface ParsedCell {
  readonly magics: readonly Magic[];
  /** The query text after the magic lines (may be empty). */
  readonly query: string;
  /** Offset of the query in the cell (for diagnostics and cursors). */
  readonly queryOffset: number;
}

/** Why a magic line is wrong. @since 0.1.0 */
export interface MagicError {
  readonly _tag: 'MagicError';
  readonly line: number;
  readonly message: string;
  readonly hints: readonly string[];
}

/** Every magic name, for completion and suggestions. @since 0.1.0 */
export const MAGIC_NAMES = [
  'profile',
  'param',
  'explain',
  'fields',
  'events',
  'values',
  'as',
  'run',
  'json',
  'display',
  'help',
] as const;

/** One line per magic, for `%help` and inspection. @since 0.1.0 */
export const MAGIC_HELP: Readonly<Record<(typeof MAGIC_NAMES)[number], string>> = {
  profile: '%profile name — switch to another baql profile',
  param: '%param name=value — set a query parameter ($name); %param lists, %param name= removes',
  explain: '%explain — show the compiled requests of the query below instead of running it',
  fields: '%fields — the fields queries can use',
  events: '%events — the event ids (type:…)',
  values: '%values field — the values a field takes',
  as: '%as name — keep this cell’s result (or, alone, the last result) under a name',
  run: '%run saved-query k=v … — run a saved query with parameters',
  json: '%json on|off — include application/json in results (JupyterLab shows JSON before HTML)',
  display:
    '%display rows=N columns=N — rows and columns result tables show (N, all or default); alone: the settings',
  help: '%help — this list',
};

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Splits `a=1 b="x y"` into words, honouring double and single quotes. @since 0.1.0 */
export function splitWords(text: string): E.Either<string, string[]> {
  const words: string[] = [];
  let current = '';
  let quote: string | undefined;
  let inWord = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] as string;
    if (quote !== undefined) {
      if (c === '\\' && i + 1 < text.length) {
        current += text[i + 1];
        i += 1;
      } else if (c === quote) quote = undefined;
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (quote !== undefined) return E.left(`unclosed ${quote} quote`);
  if (inWord) words.push(current);
  return E.right(words);
}

const assignment = (word: string): E.Either<string, [string, string]> => {
  const at = word.indexOf('=');
  const name = at < 0 ? word : word.slice(0, at);
  if (at < 0 || !NAME.test(name)) return E.left(`expected name=value, got "${word}"`);
  return E.right([name, word.slice(at + 1)]);
};

const displayLimit = (raw: string): DisplayLimit | undefined =>
  raw === 'all' || raw === 'default' ? raw : /^[1-9]\d{0,8}$/.test(raw) ? Number(raw) : undefined;

const suggest = (name: string): string[] => {
  const lower = name.toLowerCase();
  const near = MAGIC_NAMES.filter(
    (m) => m.startsWith(lower.slice(0, 2)) || lower.startsWith(m) || m.startsWith(lower),
  );
  return near.length > 0 ? near.map((m) => `did you mean %${m}?`) : ['%help lists the magics'];
};

const parseMagic = (line: number, body: string): E.Either<MagicError, Magic> => {
  const fail = (message: string, hints: readonly string[] = []) =>
    E.left<MagicError, Magic>({ _tag: 'MagicError', line, message, hints });
  const words = splitWords(body);
  if (E.isLeft(words)) return fail(`%${body}: ${words.left}`);
  const [name = '', ...args] = words.right;
  const usage = (n: (typeof MAGIC_NAMES)[number]) => [`usage: ${MAGIC_HELP[n]}`];
  switch (name) {
    case 'profile':
      return args.length === 1 && NAME.test(args[0] as string)
        ? E.right({ _tag: 'Profile', name: args[0] as string })
        : fail('%profile needs one profile name', usage('profile'));
    case 'param':
    case 'params': {
      if (args.length === 0) return E.right({ _tag: 'Params' });
      if (args.length !== 1) return fail('%param takes one name=value', usage('param'));
      const pair = assignment(args[0] as string);
      return E.isLeft(pair)
        ? fail(`%param: ${pair.left}`, usage('param'))
        : E.right({ _tag: 'Param', name: pair.right[0], value: pair.right[1] });
    }
    case 'explain':
      return args.length === 0
        ? E.right({ _tag: 'Explain' })
        : fail('%explain takes no arguments; put the query on the next line', usage('explain'));
    case 'fields':
      return args.length === 0
        ? E.right({ _tag: 'Fields' })
        : fail('%fields takes no arguments', usage('fields'));
    case 'events':
      return args.length === 0
        ? E.right({ _tag: 'Events' })
        : fail('%events takes no arguments', usage('events'));
    case 'values':
      return args.length === 1
        ? E.right({ _tag: 'Values', field: args[0] as string })
        : fail('%values needs one field name', usage('values'));
    case 'as':
      return args.length === 1 && NAME.test(args[0] as string)
        ? E.right({ _tag: 'As', name: args[0] as string })
        : fail('%as needs one name (letters, digits, _ . -)', usage('as'));
    case 'run': {
      const [query, ...pairs] = args;
      if (query === undefined) return fail('%run needs a saved query name', usage('run'));
      const params: Record<string, string> = {};
      for (const pair of pairs) {
        const parsed = assignment(pair);
        if (E.isLeft(parsed)) return fail(`%run: ${parsed.left}`, usage('run'));
        params[parsed.right[0]] = parsed.right[1];
      }
      return E.right({ _tag: 'Run', name: query, params });
    }
    case 'json':
      return args.length === 1 && (args[0] === 'on' || args[0] === 'off')
        ? E.right({ _tag: 'Json', on: args[0] === 'on' })
        : fail('%json takes on or off', usage('json'));
    case 'display': {
      const limits: { rows?: DisplayLimit; columns?: DisplayLimit } = {};
      for (const arg of args) {
        const pair = assignment(arg);
        if (E.isLeft(pair)) return fail(`%display: ${pair.left}`, usage('display'));
        const [key, raw] = pair.right;
        if (key !== 'rows' && key !== 'columns') {
          return fail(`%display has no setting ${key}`, usage('display'));
        }
        const value = displayLimit(raw);
        if (value === undefined) {
          return fail(`%display ${key} takes a whole number ≥ 1, all or default`, usage('display'));
        }
        limits[key] = value;
      }
      return E.right({ _tag: 'Display', ...limits });
    }
    case 'help':
      return E.right({ _tag: 'Help' });
    case '':
      return fail('a lone % is not a magic', ['%help lists the magics']);
    default:
      return fail(`unknown magic %${name}`, suggest(name));
  }
};

/**
 * Splits a cell into its leading magic lines and the query after them. Blank lines and `#`
 * comment lines between magics are skipped; the first other line starts the query. A cell of
 * nothing but magics, comments and blank lines has the query `''` (it runs nothing), never the
 * empty query that would match every event.
 *
 * @example
 * parseCell('%as logins\ntype:login since 1d') // Right({ magics: [{_tag:'As', name:'logins'}], query: 'type:login since 1d', ... })
 * @since 0.1.0
 */
export function parseCell(code: string): E.Either<MagicError, ParsedCell> {
  const magics: Magic[] = [];
  let offset = 0;
  let line = 1;
  while (offset < code.length) {
    const end = code.indexOf('\n', offset);
    const lineEnd = end < 0 ? code.length : end;
    const text = code.slice(offset, lineEnd).trim();
    if (text.startsWith('%')) {
      const magic = parseMagic(line, text.slice(1).replace(/^%/, ''));
      if (E.isLeft(magic)) return magic;
      magics.push(magic.right);
    } else if (text !== '' && !text.startsWith('#')) {
      break;
    }
    offset = end < 0 ? code.length : end + 1;
    line += 1;
  }
  const rest = code.slice(offset);
  const lead = rest.length - rest.trimStart().length;
  return E.right({ magics, query: rest.trim(), queryOffset: offset + lead });
}

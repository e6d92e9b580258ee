/**
 * Parsing of the REPL's backslash commands (`\o csv`, `\run name user=alice`, `\save name`) and of
 * a query line's trailing redirect (`… > out.ndjson`).
 */

/** A parsed backslash command: its name (without `\`), the raw rest and its words. */
export interface BackslashCommand {
  readonly name: string;
  readonly rest: string;
  readonly args: readonly string[];
}

/** Every backslash command with its one-line help, in the order `\help` prints them. */
export const BACKSLASH_HELP: readonly (readonly [string, string])[] = [
  ['\\help', 'this list'],
  ['\\explain [query]', 'the plan of a query (or the last one): API requests, client-side work'],
  ['\\format [query]', 'the canonical form of a query (or the last one)'],
  ['\\set name value', 'set a query parameter ($name); \\unset name removes it'],
  ['\\params', 'list query parameters'],
  ['\\save name', 'save the last query as queries/<name>.baql (with its parameters)'],
  ['\\run name [k=v …]', 'run a saved query, binding parameters'],
  ['\\load file', 'load a .baql file into the prompt'],
  ['\\e [file]', 'edit the last query (or a file) in $EDITOR'],
  ['\\fields', 'the fields you can query'],
  ['\\events', 'the event ids'],
  ['\\values field', 'the values a field takes'],
  ['\\profile', 'the current profile and API'],
  ['\\last', 'the last query and its summary'],
  ['\\o [format|file|-]', 'output: table, vertical, json, ndjson, csv, markdown; a file; - back'],
  ['\\timing [on|off]', 'toggle the summary line (rows, requests, pages, retries, elapsed)'],
  ['\\maxpages [n]', 'ask before fetching more than n pages (default 50)'],
  ['\\q', 'quit (or Ctrl-D)'],
];

/** Splits words the shell way: quotes ("double", 'single') group, `\` escapes in double quotes. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i] ?? '';
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) word += text[++i] ?? '';
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Parses `\name rest…`; undefined when `line` is not a backslash command. */
export function parseBackslash(line: string): BackslashCommand | undefined {
  const trimmed = line.trim();
  const m = /^\\([A-Za-z?!]+)(?:\s+([\s\S]*))?$/.exec(trimmed);
  if (!m) return undefined;
  const rest = (m[2] ?? '').trim();
  return { name: (m[1] ?? '').toLowerCase(), rest, args: splitWords(rest) };
}

/** Parses `k=v` words into parameters; words without `=` are reported. */
export function parseAssignments(words: readonly string[]): {
  params: Record<string, string>;
  invalid: string[];
} {
  const params: Record<string, string> = {};
  const invalid: string[] = [];
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq <= 0) invalid.push(word);
    else params[word.slice(0, eq).replace(/^\$/, '')] = word.slice(eq + 1);
  }
  return { params, invalid };
}

const REDIRECT = /\s>\s*("[^"]+"|'[^']+'|\S+\.(?:csv|json|ndjson|jsonl|md|markdown|txt))\s*$/i;

/** Splits `query > file.ext` into the query and the file (only for known output extensions). */
export function splitRedirect(line: string): { query: string; file?: string } {
  const m = REDIRECT.exec(line);
  if (!m || m.index === undefined) return { query: line };
  const file = (m[1] ?? '').replace(/^["']|["']$/g, '');
  return { query: line.slice(0, m.index).trimEnd(), file };
}

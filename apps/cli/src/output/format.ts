/**
 * Output formats shared by the REPL (`\o`) and the batch CLI (`--format`), and the small helpers
 * every renderer uses to turn a row value into text.
 */
import { extname } from 'node:path';

/** Every output format baql can print or write. */
export const OUTPUT_FORMATS = ['table', 'vertical', 'json', 'ndjson', 'csv', 'markdown'] as const;

/** One output format: `table`, `vertical`, `json`, `ndjson`, `csv` or `markdown`. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** A result row: column name → value (records are strings; aggregates may hold numbers). */
export type Row = Readonly<Record<string, unknown>>;

/** Whether `name` is one of {@link OUTPUT_FORMATS}. */
export function isOutputFormat(name: string): name is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(name);
}

const EXTENSIONS: Readonly<Record<string, OutputFormat>> = {
  '.csv': 'csv',
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.txt': 'table',
};

/** The format a file name implies (`out.csv` → `csv`), or undefined for an unknown extension. */
export function formatFromPath(path: string): OutputFormat | undefined {
  return EXTENSIONS[extname(path).toLowerCase()];
}

/** The text of one cell: strings as they are, numbers and booleans printed, objects as JSON. */
export function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return JSON.stringify(value);
}

/** The columns of `rows` when the query did not say: keys in first-seen order. */
export function inferColumns(rows: Iterable<Row>, limit = 1000): string[] {
  const seen = new Set<string>();
  let n = 0;
  for (const row of rows) {
    for (const key of Object.keys(row)) seen.add(key);
    n += 1;
    if (n >= limit) break;
  }
  return [...seen];
}

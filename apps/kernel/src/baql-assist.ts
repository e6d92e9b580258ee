/**
 * Content assist for BAQL cells: completion (magics, fields, event ids, enum values, saved
 * queries) and inspection (field, attribute and event documentation, and the compiled requests of
 * the query under the cursor).
 *
 * @since 0.1.0
 * @module
 */
import { readdirSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import {
  attributeDoc,
  eventDoc,
  fieldDoc,
  findAttribute,
  findEvent,
  findField,
  knownNames,
} from './catalog-views.js';
import type { Completion, Inspection } from './language.js';
import { MAGIC_HELP, MAGIC_NAMES, parseCell } from './magics.js';
import type { CatalogLike, CompletionItemLike, QueryToolkit, SessionLike } from './ports.js';

const itemText = (item: CompletionItemLike): string | undefined =>
  typeof item === 'string' ? item : (item.insertText ?? item.text ?? item.label ?? item.value);

/** Where the query of a cell starts, even when a magic line is wrong. */
const queryStart = (code: string): number => {
  const cell = parseCell(code);
  if (E.isRight(cell)) return cell.right.queryOffset;
  let offset = 0;
  for (const line of code.split('\n')) {
    if (line.trim() !== '' && !line.trim().startsWith('%')) break;
    offset += line.length + 1;
  }
  return Math.min(offset, code.length);
};

const savedQueryNames = (dirs: readonly string[]): string[] => {
  const names = new Set<string>();
  for (const dir of dirs) {
    try {
      for (const file of readdirSync(dir))
        if (file.endsWith('.baql')) names.add(file.slice(0, -'.baql'.length));
    } catch (_error) {
      // a missing directory has no saved queries
    }
  }
  return [...names].sort();
};

/**
 * Completes at `cursor` (a UTF-16 offset into the cell).
 *
 * @since 0.1.0
 */
export function assistComplete(
  code: string,
  cursor: number,
  catalog: CatalogLike | undefined,
  toolkit: QueryToolkit,
  queryDirs: readonly string[],
): Completion {
  const none: Completion = { matches: [], cursorStart: cursor, cursorEnd: cursor };
  // A completion replaces the whole word the cursor is in, as in queries (`%values chan|nel`).
  const wordEnd = (pattern: RegExp): number => {
    let end = cursor;
    while (end < code.length && pattern.test(code[end] as string)) end += 1;
    return end;
  };
  const lineStart = code.lastIndexOf('\n', cursor - 1) + 1;
  const line = code.slice(lineStart, cursor);
  const start = queryStart(code);
  if (cursor < start || (line.trimStart().startsWith('%') && lineStart <= start)) {
    const name = /^(\s*)(%{1,2})([\w-]*)$/.exec(line);
    if (name !== null) {
      const prefix = (name[3] ?? '').toLowerCase();
      const matches = MAGIC_NAMES.filter((m) => m.startsWith(prefix)).map((m) => `%${m}`);
      const begin = lineStart + (name[1] ?? '').length;
      return {
        matches,
        cursorStart: begin,
        cursorEnd: wordEnd(/[\w-]/),
        types: matches.map((m) => ({ text: m, type: 'magic' })),
      };
    }
    const arg = /^\s*%(values|run)\s+(\S*)$/.exec(line);
    if (arg !== null) {
      const prefix = (arg[2] ?? '').toLowerCase();
      const pool =
        arg[1] === 'values'
          ? catalog === undefined
            ? []
            : knownNames(catalog)
          : savedQueryNames(queryDirs);
      const matches = [...new Set(pool)].filter((n) => n.toLowerCase().startsWith(prefix));
      const type = arg[1] === 'values' ? 'field' : 'saved query';
      return {
        matches,
        cursorStart: cursor - prefix.length,
        cursorEnd: wordEnd(/\S/),
        types: matches.map((m) => ({ text: m, type })),
      };
    }
    return none;
  }
  if (catalog === undefined) return none;
  let answer: ReturnType<QueryToolkit['complete']>;
  try {
    answer = toolkit.complete(code.slice(start), cursor - start, catalog);
  } catch (_error) {
    return none;
  }
  const matches: string[] = [];
  const types: { text: string; type: string; signature?: string }[] = [];
  for (const item of answer.items) {
    const text = itemText(item);
    if (text === undefined || matches.includes(text)) continue;
    matches.push(text);
    const kind = typeof item === 'string' ? undefined : item.kind;
    const detail = typeof item === 'string' ? undefined : item.detail;
    types.push({
      text,
      type: kind ?? 'text',
      ...(detail === undefined ? {} : { signature: detail }),
    });
  }
  return {
    matches,
    cursorStart: start + answer.replace.start,
    cursorEnd: start + answer.replace.end,
    types,
  };
}

const TERM = /[^\s()|"',]/;

/** The term around `cursor` (e.g. `type:login`) and where it starts. */
const termAt = (code: string, cursor: number): { text: string; start: number } => {
  let a = Math.min(cursor, code.length);
  let b = a;
  while (a > 0 && TERM.test(code[a - 1] as string)) a -= 1;
  while (b < code.length && TERM.test(code[b] as string)) b += 1;
  return { text: code.slice(a, b), start: a };
};

/** Plain text of the inspection markdown (bold and code fences removed). */
const plainFromMarkdown = (markdown: string) => markdown.replace(/\*\*|`{1,3}(json)?/g, '');

/**
 * Inspects at `cursor`: documentation of the field, attribute, event id or magic under the
 * cursor, and the compiled requests of the cell's query (at detail level 1, its plan in words).
 *
 * @since 0.1.0
 */
export async function assistInspect(
  code: string,
  cursor: number,
  detailLevel: number,
  session: SessionLike | undefined,
  toolkit: QueryToolkit,
  params: Readonly<Record<string, string>>,
): Promise<Inspection> {
  const sections: string[] = [];
  const term = termAt(code, cursor);
  const catalog = session?.catalog;
  if (term.text.startsWith('%')) {
    const name = term.text.replace(/^%+/, '') as (typeof MAGIC_NAMES)[number];
    if (MAGIC_NAMES.includes(name)) sections.push(`\`${MAGIC_HELP[name]}\``);
  } else if (catalog !== undefined && term.text !== '') {
    const colon = term.text.indexOf(':');
    const fieldName = colon < 0 ? term.text : term.text.slice(0, colon);
    const value = colon < 0 ? undefined : term.text.slice(colon + 1).replace(/^[<>=]+/, '');
    const inValue = colon >= 0 && cursor > term.start + colon;
    const field = findField(catalog, fieldName.replace(/^[-!]/, ''));
    if (inValue && value !== undefined && field?.target === 'event') {
      const event = findEvent(catalog, value);
      if (event !== undefined) sections.push(eventDoc(event));
    }
    if (field !== undefined) sections.push(fieldDoc(catalog, field));
    else {
      const attribute = findAttribute(catalog, fieldName);
      if (attribute !== undefined) sections.push(attributeDoc(attribute));
      else if (colon < 0) {
        const event = findEvent(catalog, fieldName);
        if (event !== undefined) sections.push(eventDoc(event));
      }
    }
  }
  const start = queryStart(code);
  const query = code.slice(start).trim();
  if (session !== undefined && query !== '' && cursor >= start) {
    try {
      const plan = session.client.compile(query, { params }) as { requests?: unknown } | undefined;
      const requests = Array.isArray(plan?.requests) ? plan.requests : [];
      sections.push(
        `**Compiled request${requests.length === 1 ? '' : 's'}** (${requests.length}):\n\n\`\`\`json\n${JSON.stringify(requests, null, 2)}\n\`\`\``,
      );
      // Shift+Tab twice (detail level 1): the plan in words as well.
      if (detailLevel >= 1) {
        sections.push(
          `**Plan**\n\n\`\`\`\n${await session.client.explain(query, { params })}\n\`\`\``,
        );
      }
    } catch (error) {
      const reason = toolkit.reasonOf(error);
      const diagnostics = reason?.diagnostics ?? [];
      if (sections.length === 0 && diagnostics.length > 0) {
        sections.push(
          `\`\`\`\n${diagnostics.map((d) => toolkit.renderDiagnostic(query, d)).join('\n')}\n\`\`\``,
        );
      }
    }
  }
  if (sections.length === 0) return { found: false, data: {} };
  const markdown = sections.join('\n\n---\n\n');
  return {
    found: true,
    data: { 'text/markdown': markdown, 'text/plain': plainFromMarkdown(markdown) },
  };
}

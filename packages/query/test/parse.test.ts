import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, renderDiagnostic, type Diagnostic } from '../src/index.js';
import { stripRanges } from './strip.js';

const MISSION =
  'user:123 AND (type:login OR type:transfer) NOT segment:retail since 7d | count by type';
const codes = (ds: readonly Diagnostic[]): string[] => ds.map((d) => d.code);
const tree = (q: string): unknown => stripRanges(parse(q).ast.filter);

describe('parse', () => {
  it('parses the mission example without diagnostics', () => {
    const { ast, diagnostics } = parse(MISSION);
    expect(diagnostics).toEqual([]);
    expect(ast.filter?.type).toBe('and');
    expect(ast.stages).toHaveLength(1);
    expect(ast.stages[0]?.type).toBe('count');
  });

  it('gives NOT precedence over AND, and AND over OR', () => {
    const t = tree('a:1 OR b:2 c:3 AND NOT d:4') as {
      type: string;
      items: { type: string; items?: { type: string }[] }[];
    };
    expect(t.type).toBe('or');
    expect(t.items[0]?.type).toBe('match');
    expect(t.items[1]?.type).toBe('and');
    expect(t.items[1]?.items?.map((i) => i.type)).toEqual(['match', 'match', 'not']);
  });

  it('reads every negation and list spelling as the same tree', () => {
    expect(tree('-a:1')).toEqual(tree('NOT a:1'));
    expect(tree('!a:1')).toEqual(tree('not a:1'));
    expect(tree('type:[login, logout]')).toEqual(tree('type:(login OR logout)'));
    expect(tree('type IN (login, logout)')).toEqual(tree('type:(login OR logout)'));
    expect(tree('a:1 b:2')).toEqual(tree('a:1 AND b:2'));
    expect(tree('type NOT IN (a, b)')).toEqual(tree('NOT type:(a OR b)'));
  });

  it('lexes bare values with digits, dashes, dots, slashes, colons and ISO times', () => {
    const { ast, diagnostics } = parse(
      'ip:10.0.0.1 session:ab-12/x user: a@b.c since 2026-11-01T10:00:00+02:00',
    );
    expect(diagnostics).toEqual([]);
    const items = (ast.filter as unknown as { items: { value?: { text: string } }[] }).items;
    expect(items.map((i) => i.value?.text)).toEqual(['10.0.0.1', 'ab-12/x', 'a@b.c']);
    expect(ast.time[0]?.from?.text).toBe('2026-11-01T10:00:00+02:00');
  });

  it('reads quoted strings with escapes, parameters, the attribute escape and comparisons', () => {
    const { ast, diagnostics } = parse(
      'attr["ReqCtx_appId"]:USP msg:"say \\"hi\\"" user:$who amount >= 10.5 x != y',
    );
    expect(diagnostics).toEqual([]);
    expect(JSON.stringify(stripRanges(ast.filter))).toContain(
      '"name":"ReqCtx_appId","escaped":true',
    );
    expect(JSON.stringify(stripRanges(ast.filter))).toContain('say \\"hi\\"');
    expect(JSON.stringify(stripRanges(ast.filter))).toContain('"kind":"param","text":"who"');
    expect(JSON.stringify(stripRanges(ast.filter))).toContain('"op":">="');
  });

  it('reads ranges, presence and wildcards', () => {
    expect(parse('amount:[10 TO 20] ip:* user:ab*').diagnostics).toEqual([]);
    expect(JSON.stringify(tree('amount:[10 TO 20]'))).toContain('"type":"range"');
  });

  it('reads every time clause and each kind of time value', () => {
    const forms = (q: string) => {
      const r = parse(q);
      expect(r.diagnostics).toEqual([]);
      return r.ast.time.map((t) => [t.form, t.from?.text, t.to?.text]);
    };
    expect(forms('type:login since today')).toEqual([['since', 'today', undefined]]);
    expect(forms('type:login since yesterday')).toEqual([['since', 'yesterday', undefined]]);
    expect(forms('type:login from yesterday to today')).toEqual([['from', 'yesterday', 'today']]);
    expect(forms('type:login since "2026-11-01"')).toEqual([['since', '2026-11-01', undefined]]);
    expect(forms('type:login since $start')).toEqual([['since', 'start', undefined]]);
    expect(forms('type:login yesterday')).toEqual([['yesterday', undefined, undefined]]);
    expect(forms('type:login until 2026-11-02 last 7d')).toEqual([
      ['until', undefined, '2026-11-02'],
      ['last', '7d', undefined],
    ]);
    // Keywords and stage names are not times.
    expect(parse('type:login since fields').diagnostics[0]?.message).toBe(
      'expected a time after `since`, found `fields`',
    );
    expect(parse('type:login since and').diagnostics[0]?.message).toBe(
      'expected a time after `since`, found `and`',
    );
  });

  it('parses every pipeline stage', () => {
    const { ast, diagnostics } = parse(
      'type:login | fields user, ip | sort user desc, ip | limit 5 | dedup user | top 3 ip | count by ip | timechart 1h count by type',
    );
    expect(diagnostics).toEqual([]);
    expect(ast.stages.map((s) => s.type)).toEqual([
      'fields',
      'sort',
      'limit',
      'dedup',
      'top',
      'count',
      'timechart',
    ]);
  });

  it('keeps comments and reads multi-line queries', () => {
    const { ast, diagnostics } = parse(
      '# failed logins\ntype:login   # the event\n  result:Failure\n| count',
    );
    expect(diagnostics).toEqual([]);
    expect(ast.comments.map((c) => c.text)).toEqual(['# failed logins', '# the event']);
  });

  it('recognises foreign syntax and gives the BAQL spelling', () => {
    const eq = parse('type=login').diagnostics;
    expect(codes(eq)).toEqual(['BAQL_FOREIGN_SYNTAX']);
    expect(eq[0]?.hints).toContain('write `type:login`');
    expect(parse('earliest=-7d type:login').diagnostics[0]?.hints).toContain('write `since 7d`');
    expect(parse('type:login && user:1').diagnostics[0]?.hints).toContain('write `AND`');
    expect(parse('type:login || user:1').diagnostics[0]?.hints).toContain('write `OR`');
    expect(parse('amount:>5').diagnostics[0]?.hints).toContain('write `amount > 5`');
    expect(parse('type:login | stats count by user').diagnostics[0]?.hints).toContain(
      'write `| count by <field>`',
    );
  });

  it('says what is missing in the analyst language', () => {
    const d = parse('type:').diagnostics;
    expect(d[0]?.message).toBe('expected a value after `type:`, found the end of the query');
    expect(parse('(type:login').diagnostics[0]?.message).toContain('expected a closing `)`');
    expect(parse('type:login since').diagnostics[0]?.message).toContain(
      'expected a time after `since`',
    );
    expect(parse('login').diagnostics[0]?.hints.join(' ')).toContain('no free-text search');
    expect(parse('type:"abc').diagnostics[0]?.message).toBe('this string has no closing quote');
    expect(parse('type:login | sort').diagnostics[0]?.message).toBe(
      'expected a field name after `sort`, found the end of the query',
    );
    expect(parse('type:login | limit').diagnostics[0]?.message).toContain(
      'expected a number after `limit`',
    );
    expect(parse('user:1 since 7d type:login').diagnostics[0]?.hints).toContain(
      'move the time clause to the end, e.g. `user:1 type:login since 7d`',
    );
  });

  it('reports several errors at once thanks to error recovery', () => {
    const d = parse('type: AND user:1 OR (x:1 | count by').diagnostics;
    expect(d.filter((x) => x.severity === 'error').length).toBeGreaterThanOrEqual(2);
  });

  it('renders a diagnostic with the line, a caret under the column and the hints', () => {
    const q = 'user:1\n  type=login';
    const d = parse(q).diagnostics[0] as Diagnostic;
    expect(d.span.start).toEqual({ offset: 13, line: 2, column: 7 });
    expect(renderDiagnostic(q, d)).toBe(
      [
        'error[BAQL_FOREIGN_SYNTAX] at line 2, column 7: BAQL writes equality with `:`',
        '  2 |   type=login',
        '    |       ^',
        '  hint: write `type:login`',
      ].join('\n'),
    );
  });

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        const r = parse(s);
        expect(Array.isArray(r.diagnostics)).toBe(true);
      }),
      { numRuns: 1000 },
    );
    const alphabet = fc.constantFrom(
      ...'ab:()[]"\' |,-!*$#=&<>\n'.split(''),
      'AND',
      'OR',
      'NOT',
      'since',
      'TO',
      'count',
      'by',
      '7d',
    );
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 25 }), (parts) => {
        const r = parse(parts.join(''));
        for (const d of r.diagnostics)
          expect(d.span.start.offset).toBeLessThanOrEqual(parts.join('').length);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('pathological input', () => {
  it('deep nesting is a clear diagnostic, never the parser’s own error text', () => {
    const deep = parse(`${'('.repeat(1000)}type:login${')'.repeat(1000)}`);
    expect(deep.diagnostics[0]).toMatchObject({
      code: 'BAQL_TOO_DEEP',
      message: 'the query nests parentheses more than 100 deep',
    });
    const nots = parse(`${'NOT '.repeat(20_000)}type:login`);
    const all = JSON.stringify(nots.diagnostics);
    expect(all).not.toMatch(/call stack|RangeError/);
    expect(parse(`${'('.repeat(100)}type:login${')'.repeat(100)}`).diagnostics).toEqual([]);
  });

  it('names a character outside the BMP whole, not half a surrogate pair', () => {
    expect(parse('user:😀').diagnostics[0]?.message).toBe('unexpected character `😀`');
  });
});

import { describe, expect, it } from 'vitest';
import { complete, defaultCatalog, highlight, isComplete, mergeCatalog } from '../src/index.js';

const labels = (text: string, offset = text.length): string[] =>
  complete(text, offset).items.map((i) => i.label);

describe('isComplete', () => {
  it('asks for more after an operator, an open bracket, a pipe or a time keyword', () => {
    expect(isComplete('user:1 AND')).toEqual({ complete: false, indent: 2 });
    expect(isComplete('user:1 AND (type:login OR\n  (x:1')).toEqual({ complete: false, indent: 4 });
    expect(isComplete('user:1 |')).toEqual({ complete: false, indent: 2 });
    expect(isComplete('type:login since')).toEqual({ complete: false, indent: 2 });
    expect(isComplete('between 2026-11-01')).toEqual({ complete: false, indent: 2 });
    expect(isComplete('user:1 \\')).toEqual({ complete: false, indent: 2 });
  });
  it('asks for more inside an unclosed quote, indented like the open brackets', () => {
    expect(isComplete('user:"abc')).toEqual({ complete: false, indent: 2 });
    expect(isComplete("user:'abc")).toEqual({ complete: false, indent: 2 });
    expect(isComplete('msg:"say \\"hi')).toEqual({ complete: false, indent: 2 });
    expect(isComplete('user:1 AND (session:"a(b')).toEqual({ complete: false, indent: 2 });
    expect(isComplete('user:1 AND ((session:"a')).toEqual({ complete: false, indent: 4 });
    expect(isComplete('user:"abc\ndef')).toEqual({ complete: false, indent: 2 });
    // The continuation line closes it (the parser then reports the line break in the string).
    expect(isComplete('user:"abc\ndef"')).toEqual({ complete: true, indent: 0 });
    expect(isComplete('user:"a # b" type:login')).toEqual({ complete: true, indent: 0 });
    expect(isComplete("user:1 # it's a comment")).toEqual({ complete: true, indent: 0 });
    expect(isComplete('user:"a\\\\" type:login')).toEqual({ complete: true, indent: 0 });
    expect(isComplete('user:"a\\" type:login')).toEqual({ complete: false, indent: 2 });
  });
  it('asks for more after a trailing pipe and inside an unclosed parenthesis', () => {
    expect(isComplete('type:login |')).toEqual({ complete: false, indent: 2 });
    expect(isComplete('type:login | count by type |  # next stage\n')).toEqual({
      complete: false,
      indent: 2,
    });
    expect(isComplete('(type:login')).toEqual({ complete: false, indent: 2 });
    expect(isComplete('(type:login OR (user:"x)"')).toEqual({ complete: false, indent: 4 });
  });
  it('accepts a finished query', () => {
    expect(isComplete('user:1 (type:login)\n| count by type')).toEqual({
      complete: true,
      indent: 0,
    });
    expect(isComplete('')).toEqual({ complete: true, indent: 0 });
  });
});

describe('highlight', () => {
  it('categorises every token with the parser lexer', () => {
    const text = 'user:123 type=login since 7d amount > 5.5 "s" $p # c\n| count by type';
    const cats = highlight(text).map((s) => `${text.slice(s.start, s.end)}=${s.category}`);
    expect(cats).toEqual([
      'user=field',
      ':=operator',
      '123=number',
      'type=field',
      '==error',
      'login=value',
      'since=keyword',
      '7d=time',
      'amount=field',
      '>=operator',
      '5.5=number',
      '"s"=string',
      '$p=param',
      '# c=comment',
      '|=pipe',
      'count=keyword',
      'by=keyword',
      'type=field',
    ]);
  });
});

describe('complete', () => {
  it('completes fields fuzzily with the span to replace', () => {
    const c = complete('user:1 AND ty', 13);
    expect(c.replace).toEqual({ start: 11, end: 13 });
    expect(c.items[0]).toMatchObject({ label: 'type', kind: 'field', insertText: 'type:' });
    expect(labels('sesion')).toContain('session');
  });
  it('completes event ids and enum values after a field', () => {
    expect(labels('type:lo')).toEqual(['login', 'logout']);
    expect(labels('type:(login OR ')).toContain('transfer');
    expect(labels('segment:')).toEqual(['business', 'retail', '*']);
    expect(labels('kind:sy')).toEqual(['system']);
  });
  it('completes keywords after a term and times after a time keyword', () => {
    const after = labels('user:1 ');
    expect(after).toEqual(expect.arrayContaining(['AND', 'OR', 'NOT', 'since', '|']));
    expect(labels('user:1 since ')).toContain('7d');
  });
  it('completes stages and their fields', () => {
    expect(labels('user:1 | ')).toEqual([
      'count',
      'dedup',
      'fields',
      'limit',
      'sort',
      'timechart',
      'top',
    ]);
    expect(labels('user:1 | count ')).toContain('by');
    expect(labels('user:1 | count by us')[0]).toBe('user');
  });
  it('uses the catalog it is given', () => {
    const catalog = mergeCatalog(defaultCatalog, {
      events: [{ id: 'wireOut', kind: 'user', description: 'wire' }],
    });
    expect(complete('type:wi', 7, catalog).items.map((i) => i.label)).toEqual(['wireOut']);
  });
  it('replaces the whole word under the cursor', () => {
    expect(complete('type:logxx', 8).replace).toEqual({ start: 5, end: 10 });
  });
});

describe('completion inside quotes', () => {
  it('offers the field’s values, never field names, and nothing once other text is quoted', () => {
    expect(labels('channel:"ON')).toEqual(['ONLINE']);
    expect(complete('channel:"ON', 11).replace).toEqual({ start: 9, end: 11 });
    expect(labels('type:"lo')).toEqual(expect.arrayContaining(['login', 'logout']));
    expect(labels('type:"lo')).not.toContain('*');
    expect(labels('channel:"on my ')).toEqual([]);
  });
});

describe('completion in later stages', () => {
  it('offers the columns the rows have after fields or an aggregation, and field aliases', () => {
    expect(labels('since 1d | fields user, amount | sort ').sort()).toEqual(['amount', 'user']);
    expect(labels('since 1d | count by type | sort ').sort()).toEqual(['count', 'type']);
    expect(labels('since 1d | top 5 user | sort ').sort()).toEqual(['count', 'percent', 'user']);
    expect(labels('since 1d | sort ')).toContain('channel');
    expect(labels('ev')).toContain('event');
  });
});

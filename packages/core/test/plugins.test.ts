import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { collectMacros, expandMacros, loadPlugins } from '../src/plugins.js';
import { tempDir } from './temp-dir.js';

describe('macros', () => {
  const macros = {
    failed: { query: 'type:login result:failure' },
    risky: { query: '@failed OR type:newPayee' },
    loop: { query: '@loop' },
  };
  it('expand recursively outside quoted strings', () => {
    expect(expandMacros('user:1 AND @risky since 7d | count', macros)).toEqual(
      E.right('user:1 AND ((type:login result:failure) OR type:newPayee) since 7d | count'),
    );
    expect(expandMacros('memo:"@failed"', macros)).toEqual(E.right('memo:"@failed"'));
  });
  it('leave an @ inside a value, a time snap or a comment alone, with or without macros', () => {
    for (const text of [
      'user:a@b.c since 1d',
      'type:login from -1d@d to now@h',
      'type:login # ping @mention later',
      '(@failed) user:x@y',
    ]) {
      const expected = text.replace('(@failed)', '((type:login result:failure))');
      expect(expandMacros(text, macros)).toEqual(E.right(expected));
      if (!text.includes('(@failed)')) expect(expandMacros(text, {})).toEqual(E.right(text));
    }
  });
  it('report unknown macros and cycles with the span of the @name', () => {
    const r = expandMacros('type:x @nope', macros);
    expect(E.isLeft(r) && r.left[0]).toMatchObject({
      code: 'unknown-macro',
      span: { start: { offset: 7, line: 1, column: 8 }, end: { offset: 12, line: 1, column: 13 } },
    });
    const c = expandMacros('@loop', macros);
    expect(E.isLeft(c) && c.left[0]?.code).toBe('macro-cycle');
  });
  it('refuse two plugins defining the same macro', () => {
    const r = collectMacros([
      { name: 'a', macros: { x: { query: 'a' } } },
      { name: 'b', macros: { x: { query: 'b' } } },
    ]);
    expect(E.isLeft(r) && r.left.message).toContain('@x is defined by both "a" and "b"');
  });
});

describe('loadPlugins', () => {
  it('loads by path relative to the config and rejects modules that are not plugins', async () => {
    const dir = tempDir('baql-plugin-');
    writeFileSync(
      join(dir, 'good.mjs'),
      'export default { name: "good", macros: { m: { query: "type:login" } } };',
    );
    writeFileSync(join(dir, 'bad.mjs'), 'export const x = 1;');
    const ok = await loadPlugins(['./good.mjs'], dir);
    expect(E.isRight(ok) && ok.right[0]?.name).toBe('good');
    const bad = await loadPlugins(['./bad.mjs'], dir);
    expect(E.isLeft(bad) && bad.left.message).toContain('is not a baql plugin');
    const missing = await loadPlugins(['@baql/does-not-exist'], dir);
    expect(E.isLeft(missing) && missing.left.message).toContain(
      'cannot load plugin "@baql/does-not-exist"',
    );
  });
});

import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { History } from '../src/repl/history.js';
import { LineEditor, commonPrefix, type LineEditorOptions } from '../src/repl/line-editor.js';
import { colourSpans } from '../src/repl/assist.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp-dir.js';

function setup(extra: Partial<LineEditorOptions> = {}) {
  const input = new PassThrough();
  let screen = '';
  const output = { write: (s: string) => ((screen += s), true), columns: 80 };
  const editor = new LineEditor({ input, output, prompt: 'baql> ', ...extra });
  const type = async (s: string) => {
    input.write(s);
    await new Promise((r) => setImmediate(r));
  };
  return { editor, type, screen: () => screen, clear: () => (screen = '') };
}

describe('line editor', () => {
  it('reads a line, with cursor movement and deletion', async () => {
    const { editor, type } = setup();
    const line = editor.read();
    await type('type:logn');
    await type('\x1b[D'); // left
    await type('i');
    await type('\x1b[C'); // right
    await type('x\x7f'); // x, backspace
    await type('\r');
    expect(await line).toBe('type:login');
    editor.close();
  });

  it('continues on the next line while the parser says the query is incomplete', async () => {
    const { editor, type, screen } = setup({
      isComplete: (text) => ({
        complete: (text.match(/\(/g) ?? []).length === (text.match(/\)/g) ?? []).length,
        indent: 2,
      }),
      continuation: '…> ',
    });
    const line = editor.read();
    await type('type:(login OR\r');
    expect(screen()).toContain('  …> ');
    await type('transfer)\r');
    expect(await line).toBe('type:(login OR\n  transfer)');
    editor.close();
  });

  it('recalls history with Up and finds it with Ctrl-R', async () => {
    const dir = tempDir('baql-hist-');
    const history = new History(join(dir, 'p.jsonl'));
    const { editor, type, screen } = setup({ history });
    let line = editor.read();
    await type('type:login\r');
    await line;
    line = editor.read();
    await type('user:alice since 7d\r');
    await line;
    line = editor.read();
    await type('\x1b[A\x1b[A\r');
    expect(await line).toBe('type:login');
    line = editor.read();
    await type('\x12alic');
    expect(screen()).toContain("reverse-i-search)`alic'");
    await type('\r');
    expect(await line).toBe('user:alice since 7d');
    editor.close();
    // Persisted, one JSON string per line, and read back by a new History.
    expect(readFileSync(join(dir, 'p.jsonl'), 'utf8').split('\n')[0]).toBe('"type:login"');
    expect(new History(join(dir, 'p.jsonl')).entries).toEqual([
      'type:login',
      'user:alice since 7d',
      'type:login',
      'user:alice since 7d',
    ]);
  });

  it('completes a single candidate in place and lists several', async () => {
    const items = [{ label: 'login' }, { label: 'logout' }, { label: 'transfer' }];
    const fuzzyFilter = (typed: string, all: typeof items) =>
      all.filter((i) => i.label.startsWith(typed));
    const { editor, type, screen } = setup({
      complete: (text, cursor) => {
        const start = text.lastIndexOf(':', cursor - 1) + 1;
        const typed = text.slice(start, cursor);
        return { items: fuzzyFilter(typed, items), replace: { start, end: cursor } };
      },
    });
    const line = editor.read();
    await type('type:tr\t');
    expect(editor.buffer).toBe('type:transfer ');
    await type(' type:lo\t');
    expect(editor.buffer).toBe('type:transfer  type:log');
    await type('\t');
    expect(screen()).toMatch(/login\s+logout/);
    await type('\r');
    await line;
    editor.close();
  });

  it('clears the line on Ctrl-C and ends on Ctrl-D', async () => {
    const { editor, type } = setup();
    const line = editor.read();
    await type('type:lo');
    await type('\x03');
    expect(editor.buffer).toBe('');
    await type('\x04');
    expect(await line).toBeNull();
    editor.close();
  });

  it('draws the highlighter colours', async () => {
    const { editor, type, screen } = setup({
      highlight: (t) => colourSpans(t, [{ start: 0, end: 4, kind: 'field' }]),
    });
    const line = editor.read();
    await type('type:login');
    expect(screen()).toContain('\x1b[36mtype\x1b[0m');
    await type('\r');
    await line;
    editor.close();
  });
});

describe('completion helpers', () => {
  it('finds the common prefix of candidates', () => {
    expect(commonPrefix(['logout', 'login'])).toBe('log');
    expect(commonPrefix(['a'])).toBe('a');
    expect(commonPrefix([])).toBe('');
  });

  it('colours spans and leaves the rest, line by line', () => {
    expect(colourSpans('a:b\nc', [{ start: 0, end: 1, kind: 'field' }])).toBe(
      '\x1b[36ma\x1b[0m:b\nc',
    );
    expect(colourSpans('"x\ny"', [{ start: 0, end: 5, kind: 'string' }])).toBe(
      '\x1b[33m"x\x1b[0m\n\x1b[33my"\x1b[0m',
    );
  });
});

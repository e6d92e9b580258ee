/**
 * The REPL's line editor: multi-line input with syntax highlighting as you type, Tab completion,
 * history with reverse search (Ctrl-R) and bracketed paste. Key decoding is Node's own
 * (`readline.emitKeypressEvents`); this module keeps the buffer and redraws it.
 *
 * Why not `readline.Interface`: it cannot colour the text being typed (its redraw is private) and
 * it has no reverse search; why not `node:repl`: it exits on a second Ctrl-C and is built around
 * JavaScript. The editor is small and fully driven by the tests through a pseudo-terminal.
 */
import { emitKeypressEvents } from 'node:readline';
import stringWidth from 'string-width';
import type { History } from './history.js';

/** One completion candidate. */
export interface CompletionItem {
  /** What the list shows. */
  readonly label: string;
  /** What is inserted (default: the label). */
  readonly insert?: string | undefined;
  /** A short description shown beside the label. */
  readonly detail?: string | undefined;
}

/** Completion candidates and the span of the buffer they replace. */
export interface Completions {
  readonly items: readonly CompletionItem[];
  readonly replace: { readonly start: number; readonly end: number };
}

/** A decoded key, as `readline.emitKeypressEvents` reports it. */
export interface Key {
  readonly name?: string | undefined;
  readonly ctrl?: boolean | undefined;
  readonly meta?: boolean | undefined;
  readonly shift?: boolean | undefined;
  readonly sequence?: string | undefined;
}

/** The terminal streams the editor needs. */
export interface EditorInput extends NodeJS.EventEmitter {
  readonly isTTY?: boolean | undefined;
  setRawMode?(mode: boolean): unknown;
  resume(): unknown;
  pause(): unknown;
}

/** The output stream the editor draws on. */
export interface EditorOutput {
  write(text: string): unknown;
  readonly columns?: number | undefined;
}

/** Options of {@link LineEditor}. */
export interface LineEditorOptions {
  readonly input: EditorInput;
  readonly output: EditorOutput;
  /** The prompt of the first line (may hold colour codes). */
  readonly prompt: string;
  /** The prompt of continuation lines; padded to the first prompt's width. */
  readonly continuation?: string;
  /** Colours the buffer; must keep every visible character and line break. */
  readonly highlight?: ((text: string) => string) | undefined;
  /** Completion at the cursor. */
  readonly complete?:
    | ((text: string, cursor: number) => Completions | undefined | Promise<Completions | undefined>)
    | undefined;
  /**
   * Whether Enter submits `text` (true) or starts a new line, with the indent of the next line.
   * Default: always submit.
   */
  readonly isComplete?: ((text: string) => { complete: boolean; indent?: number }) | undefined;
  /** History to navigate (Up/Down) and search (Ctrl-R); entries are added on submit. */
  readonly history?: History | undefined;
}

const ESC = '\x1b[';
const visible = (s: string) => stringWidth(s);

/** The common prefix of `strings` (case-sensitive). */
export function commonPrefix(strings: readonly string[]): string {
  if (strings.length === 0) return '';
  let prefix = strings[0] ?? '';
  for (const s of strings) {
    let i = 0;
    while (i < prefix.length && i < s.length && prefix[i] === s[i]) i += 1;
    prefix = prefix.slice(0, i);
  }
  return prefix;
}

/** Lays out completion labels in columns no wider than `width`. */
export function layoutCompletions(
  items: readonly CompletionItem[],
  width: number,
  max = 60,
): string {
  const shown = items.slice(0, max);
  const cell = Math.min(width, Math.max(...shown.map((i) => visible(i.label))) + 2);
  const perRow = Math.max(1, Math.floor(width / cell));
  const lines: string[] = [];
  for (let i = 0; i < shown.length; i += perRow) {
    lines.push(
      shown
        .slice(i, i + perRow)
        .map((item) => item.label + ' '.repeat(Math.max(0, cell - visible(item.label))))
        .join('')
        .trimEnd(),
    );
  }
  if (items.length > max) lines.push(`… and ${items.length - max} more`);
  return lines.join('\r\n');
}

/** A multi-line terminal line editor; one `read()` at a time. */
export class LineEditor {
  /** The text being edited. */
  buffer = '';
  /** Cursor offset in {@link buffer}. */
  cursor = 0;
  /** Called for keys that arrive while no `read()` is active (the REPL uses it for Ctrl-C). */
  onIdleKey: ((key: Key) => void) | undefined;

  private readonly prompt: string;
  private readonly continuation: string;
  private active = false;
  private resolveRead: ((line: string | null) => void) | undefined;
  /** Row of the terminal cursor, counted from the first row of the editor region. */
  private cursorRow = 0;
  /** Rows the editor region took at the last draw. */
  private regionRows = 1;
  private historyIndex = 0;
  private draft = '';
  private search: { term: string; index: number; failed: boolean } | undefined;
  private pasting = false;
  private version = 0;
  private readonly onKeypress = (str: string | undefined, key: Key | undefined) =>
    this.handleKey(str, key ?? {});

  private history: History | undefined;

  constructor(private readonly options: LineEditorOptions) {
    this.history = options.history;
    this.prompt = options.prompt;
    const width = visible(options.prompt);
    const cont = options.continuation ?? '… ';
    this.continuation = ' '.repeat(Math.max(0, width - visible(cont))) + cont;
    emitKeypressEvents(options.input as NodeJS.ReadableStream);
    options.input.on('keypress', this.onKeypress);
    if (options.input.isTTY) options.input.setRawMode?.(true);
    options.output.write(`${ESC}?2004h`);
    options.input.resume();
  }

  /** Reads one submission; resolves `null` on Ctrl-D in an empty buffer (end of input). */
  read(initial = ''): Promise<string | null> {
    this.buffer = initial;
    this.cursor = initial.length;
    this.cursorRow = 0;
    this.regionRows = 1;
    this.historyIndex = this.history?.entries.length ?? 0;
    this.draft = '';
    this.search = undefined;
    this.active = true;
    this.render();
    return new Promise((resolve) => {
      this.resolveRead = resolve;
    });
  }

  /** Switches to another history (the REPL does once the profile is known). */
  setHistory(history: History): void {
    this.history = history;
    if (!this.search) this.historyIndex = history.entries.length;
  }

  /** Writes `text` above the prompt without losing what is being typed. */
  printAbove(text: string): void {
    const body = text.endsWith('\n') ? text : `${text}\n`;
    if (!this.active) {
      this.options.output.write(body.replace(/\r?\n/g, '\r\n'));
      return;
    }
    this.moveToTop();
    this.options.output.write(`\r${ESC}J${body.replace(/\r?\n/g, '\r\n')}`);
    this.cursorRow = 0;
    this.render(false);
  }

  /** Leaves raw mode (for `$EDITOR` or a pager); {@link resume} returns to it. */
  suspend(): void {
    this.options.output.write(`${ESC}?2004l`);
    if (this.options.input.isTTY) this.options.input.setRawMode?.(false);
  }

  /** Returns to raw mode after {@link suspend}. */
  resume(): void {
    if (this.options.input.isTTY) this.options.input.setRawMode?.(true);
    this.options.output.write(`${ESC}?2004h`);
    this.options.input.resume();
  }

  /** Stops listening and restores the terminal. */
  close(): void {
    this.options.input.off('keypress', this.onKeypress);
    this.suspend();
    this.options.input.pause();
  }

  /** Feeds one key (the keypress listener; public for tests). */
  handleKey(str: string | undefined, key: Key): void {
    if (!this.active) {
      this.onIdleKey?.(key.name === undefined && str ? { ...key, name: str } : key);
      return;
    }
    if (key.name === 'paste-start') {
      this.pasting = true;
      return;
    }
    if (key.name === 'paste-end') {
      this.pasting = false;
      this.render();
      return;
    }
    if (this.search) {
      this.handleSearchKey(str, key);
      return;
    }
    this.version += 1;
    const name = key.name ?? '';
    if (key.ctrl) {
      switch (name) {
        case 'c':
          return this.interrupt();
        case 'd':
          if (this.buffer.length === 0) return this.finish(null);
          return this.deleteRange(this.cursor, this.cursor + 1);
        case 'a':
          return this.moveTo(this.lineStart());
        case 'e':
          return this.moveTo(this.lineEnd());
        case 'b':
          return this.moveTo(this.cursor - 1);
        case 'f':
          return this.moveTo(this.cursor + 1);
        case 'k':
          return this.deleteRange(this.cursor, Math.max(this.lineEnd(), this.cursor + 0));
        case 'u':
          return this.deleteRange(this.lineStart(), this.cursor);
        case 'w':
          return this.deleteRange(this.wordStart(), this.cursor);
        case 'h':
          return this.deleteRange(this.cursor - 1, this.cursor);
        case 'l':
          this.options.output.write(`${ESC}2J${ESC}H`);
          this.cursorRow = 0;
          return this.render(false);
        case 'p':
          return this.up();
        case 'n':
          return this.down();
        case 'r':
          this.search = {
            term: '',
            index: this.history?.entries.length ?? 0,
            failed: false,
          };
          return this.render();
        case 'left':
          return this.moveTo(this.wordStart());
        case 'right':
          return this.moveTo(this.wordEnd());
        case 'j':
          return this.submitOrNewline();
        default:
          return;
      }
    }
    if (key.meta) {
      switch (name) {
        case 'b':
          return this.moveTo(this.wordStart());
        case 'f':
          return this.moveTo(this.wordEnd());
        case 'return':
        case 'enter':
          return this.insert('\n');
        case 'backspace':
          return this.deleteRange(this.wordStart(), this.cursor);
        default:
          return;
      }
    }
    switch (name) {
      case 'return':
      case 'enter':
        if (this.pasting) return this.insert('\n');
        return this.submitOrNewline();
      case 'backspace':
        return this.deleteRange(this.cursor - 1, this.cursor);
      case 'delete':
        return this.deleteRange(this.cursor, this.cursor + 1);
      case 'left':
        return this.moveTo(this.cursor - 1);
      case 'right':
        return this.moveTo(this.cursor + 1);
      case 'home':
        return this.moveTo(this.lineStart());
      case 'end':
        return this.moveTo(this.lineEnd());
      case 'up':
        return this.up();
      case 'down':
        return this.down();
      case 'tab':
        if (this.pasting) return this.insert('  ');
        void this.completeAtCursor();
        return;
      case 'escape':
        return;
      default:
        if (str && isPrintable(str.replace(/[\r\n\t]/g, ' ')))
          this.insert(str.replace(/\r\n?/g, '\n'));
    }
  }

  // --- editing ---------------------------------------------------------------------------------

  private insert(text: string): void {
    this.buffer = this.buffer.slice(0, this.cursor) + text + this.buffer.slice(this.cursor);
    this.cursor += text.length;
    if (!this.pasting) this.render();
  }

  private deleteRange(from: number, to: number): void {
    const start = Math.max(0, from);
    const end = Math.min(this.buffer.length, to);
    if (end <= start) return;
    this.buffer = this.buffer.slice(0, start) + this.buffer.slice(end);
    this.cursor = start;
    this.render();
  }

  private moveTo(offset: number): void {
    this.cursor = Math.max(0, Math.min(this.buffer.length, offset));
    this.render();
  }

  private lineStart(at = this.cursor): number {
    return this.buffer.lastIndexOf('\n', at - 1) + 1;
  }

  private lineEnd(at = this.cursor): number {
    const i = this.buffer.indexOf('\n', at);
    return i === -1 ? this.buffer.length : i;
  }

  private wordStart(): number {
    let i = this.cursor;
    while (i > 0 && /\s/.test(this.buffer[i - 1] ?? '')) i -= 1;
    while (i > 0 && !/[\s:|(),[\]]/.test(this.buffer[i - 1] ?? '')) i -= 1;
    return i;
  }

  private wordEnd(): number {
    let i = this.cursor;
    while (i < this.buffer.length && /\s/.test(this.buffer[i] ?? '')) i += 1;
    while (i < this.buffer.length && !/[\s:|(),[\]]/.test(this.buffer[i] ?? '')) i += 1;
    return i;
  }

  private up(): void {
    const start = this.lineStart();
    if (start > 0) {
      const column = this.cursor - start;
      const prevStart = this.lineStart(start - 1);
      return this.moveTo(Math.min(prevStart + column, start - 1));
    }
    const entries = this.history?.entries ?? [];
    if (this.historyIndex === 0) return;
    if (this.historyIndex === entries.length) this.draft = this.buffer;
    this.historyIndex -= 1;
    this.setBuffer(entries[this.historyIndex] ?? '');
  }

  private down(): void {
    const end = this.lineEnd();
    if (end < this.buffer.length) {
      const column = this.cursor - this.lineStart();
      const nextStart = end + 1;
      return this.moveTo(Math.min(nextStart + column, this.lineEnd(nextStart)));
    }
    const entries = this.history?.entries ?? [];
    if (this.historyIndex >= entries.length) return;
    this.historyIndex += 1;
    this.setBuffer(
      this.historyIndex === entries.length ? this.draft : (entries[this.historyIndex] ?? ''),
    );
  }

  private setBuffer(text: string): void {
    this.buffer = text;
    this.cursor = text.length;
    this.render();
  }

  private interrupt(): void {
    this.moveToEnd();
    this.options.output.write('^C\r\n');
    this.buffer = '';
    this.cursor = 0;
    this.cursorRow = 0;
    this.regionRows = 1;
    this.historyIndex = this.history?.entries.length ?? 0;
    this.render(false);
  }

  private submitOrNewline(): void {
    const text = this.buffer;
    const trimmed = text.trim();
    if (trimmed !== '' && !trimmed.startsWith('\\') && this.options.isComplete) {
      const verdict = this.options.isComplete(text);
      if (!verdict.complete) return this.insert(`\n${' '.repeat(verdict.indent ?? 0)}`);
    }
    this.history?.add(text);
    this.finish(text);
  }

  private finish(line: string | null): void {
    this.cursor = this.buffer.length;
    this.render();
    this.moveToEnd();
    this.options.output.write('\r\n');
    this.active = false;
    this.cursorRow = 0;
    const resolve = this.resolveRead;
    this.resolveRead = undefined;
    resolve?.(line);
  }

  // --- completion ------------------------------------------------------------------------------

  private async completeAtCursor(): Promise<void> {
    const complete = this.options.complete;
    if (!complete) return;
    const version = this.version;
    const text = this.buffer;
    const cursor = this.cursor;
    let result: Completions | undefined;
    try {
      result = await complete(text, cursor);
    } catch {
      return;
    }
    if (!this.active || version !== this.version || !result || result.items.length === 0) return;
    const { start, end } = result.replace;
    const typed = text.slice(start, end);
    const inserts = result.items.map((i) => i.insert ?? i.label);
    if (inserts.length === 1) {
      const only = inserts[0] ?? '';
      const suffix = /[:(\s]$/.test(only) ? '' : ' ';
      this.buffer = text.slice(0, start) + only + suffix + text.slice(end);
      this.cursor = start + only.length + suffix.length;
      return this.render();
    }
    const prefix = commonPrefix(inserts);
    if (prefix.length > typed.length && prefix.toLowerCase().startsWith(typed.toLowerCase())) {
      this.buffer = text.slice(0, start) + prefix + text.slice(end);
      this.cursor = start + prefix.length;
      return this.render();
    }
    this.moveToEnd();
    const width = Math.max(20, (this.options.output.columns ?? 80) - 1);
    this.options.output.write(`\r\n${layoutCompletions(result.items, width)}\r\n`);
    this.cursorRow = 0;
    this.regionRows = 1;
    this.render(false);
  }

  // --- reverse search --------------------------------------------------------------------------

  private handleSearchKey(str: string | undefined, key: Key): void {
    const search = this.search;
    const history = this.history;
    if (!search) return;
    const name = key.name ?? '';
    const accept = () => {
      const entry = history?.entries[search.index];
      this.search = undefined;
      if (entry !== undefined && !search.failed && search.term !== '') {
        this.buffer = entry;
        this.cursor = entry.length;
        this.historyIndex = search.index;
      }
    };
    if (key.ctrl && name === 'c') {
      this.search = undefined;
      return this.interrupt();
    }
    if (key.ctrl && name === 'g') {
      this.search = undefined;
      return this.render();
    }
    if (key.ctrl && name === 'r') {
      const next = history ? history.search(search.term, search.index) : -1;
      if (next >= 0) search.index = next;
      search.failed = next < 0;
      return this.render();
    }
    if (name === 'return' || name === 'enter') {
      accept();
      return this.submitOrNewline();
    }
    if (name === 'backspace') {
      search.term = search.term.slice(0, -1);
      return this.refreshSearch();
    }
    if (
      key.ctrl ||
      key.meta ||
      name === 'escape' ||
      name === 'left' ||
      name === 'right' ||
      name === 'up' ||
      name === 'down' ||
      name === 'tab'
    ) {
      accept();
      return this.render();
    }
    if (str && isPrintable(str)) {
      search.term += str;
      this.refreshSearch();
    }
  }

  private refreshSearch(): void {
    const search = this.search;
    if (!search) return;
    const entries = this.history?.entries.length ?? 0;
    const found = this.history ? this.history.search(search.term, entries) : -1;
    search.failed = found < 0 && search.term !== '';
    search.index = found < 0 ? entries : found;
    this.render();
  }

  // --- drawing ---------------------------------------------------------------------------------

  private moveToTop(): void {
    if (this.cursorRow > 0) this.options.output.write(`${ESC}${this.cursorRow}A`);
    this.cursorRow = 0;
  }

  private moveToEnd(): void {
    const down = this.regionRows - 1 - this.cursorRow;
    if (down > 0) this.options.output.write(`${ESC}${down}B`);
    this.cursorRow = this.regionRows - 1;
  }

  /** Redraws the editor region; `fromTop` false when the cursor already is at its first row. */
  private render(fromTop = true): void {
    if (!this.active) return;
    const cols = Math.max(10, this.options.output.columns ?? 80);
    let prompt = this.prompt;
    let text = this.buffer;
    let cursor = this.cursor;
    let coloured: string;
    if (this.search) {
      const entry =
        this.search.failed || this.search.term === ''
          ? ''
          : (this.history?.entries[this.search.index] ?? '');
      prompt = `(${this.search.failed ? 'failed ' : ''}reverse-i-search)\`${this.search.term}': `;
      text = entry;
      const at = entry.toLowerCase().indexOf(this.search.term.toLowerCase());
      cursor = at < 0 ? 0 : at;
      coloured = entry;
    } else {
      coloured = this.options.highlight ? safeHighlight(this.options.highlight, text) : text;
    }
    const lines = text.split('\n');
    const colouredLines = coloured.split('\n');
    const prompts = lines.map((_, i) => (i === 0 ? prompt : this.continuation));
    let out = fromTop && this.cursorRow > 0 ? `${ESC}${this.cursorRow}A` : '';
    out += `\r${ESC}J`;
    // Rows taken by each line (prompt + text), and where the cursor goes.
    let row = 0;
    let targetRow = 0;
    let targetCol = 0;
    let offset = 0;
    lines.forEach((line, i) => {
      const promptWidth = visible(prompts[i] ?? '');
      const width = promptWidth + visible(line);
      out += `${prompts[i] ?? ''}${colouredLines[i] ?? line}${ESC}0m`;
      if (width > 0 && width % cols === 0) out += ' \r';
      if (cursor >= offset && cursor <= offset + line.length) {
        const x = promptWidth + visible(line.slice(0, cursor - offset));
        targetRow = row + Math.floor(x / cols);
        targetCol = x % cols;
      }
      row += Math.floor(width / cols) + 1;
      if (i < lines.length - 1) out += '\r\n';
      offset += line.length + 1;
    });
    this.regionRows = row;
    const endRow = row - 1;
    if (endRow > targetRow) out += `${ESC}${endRow - targetRow}A`;
    out += '\r';
    if (targetCol > 0) out += `${ESC}${targetCol}C`;
    this.cursorRow = targetRow;
    this.options.output.write(out);
  }
}

/** Whether `text` has no control characters (C0 or DEL). */
function isPrintable(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return false;
  }
  return true;
}

/** Runs the highlighter, falling back to plain text when it throws or changes the text. */
function safeHighlight(highlight: (text: string) => string, text: string): string {
  try {
    const coloured = highlight(text);
    // eslint-disable-next-line no-control-regex
    return coloured.replace(/\x1b\[[0-9;]*m/g, '') === text ? coloured : text;
  } catch {
    return text;
  }
}

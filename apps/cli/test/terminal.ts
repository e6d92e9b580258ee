/**
 * A pseudo-terminal test harness: runs the built `baql` bin under node-pty as a person would use
 * it, types keys, and waits for text to appear on the screen.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, type IPty } from 'node-pty';
import { tempDir } from './temp-dir.js';

/** The built bin (tests run after `tsc -b tsconfig.build.json`). */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The sandbox's data cache, shared by every test process (generated once). */
export const CACHE_DIR = process.env.BAQL_CACHE_DIR ?? join(homedir(), '.cache', 'baql');

/** Whether the bin has been built. */
export const built = existsSync(BIN);

// eslint-disable-next-line no-control-regex -- matching terminal escapes is the point
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]/g;

/**
 * Removes terminal control sequences. A carriage return followed by an erase (the editor's
 * redraw, the progress line's removal) becomes a line break, so each drawn state reads as a line.
 */
export const stripAnsi = (s: string): string =>
  s
    // eslint-disable-next-line no-control-regex -- terminal escapes
    .replace(/\r\x1b\[(?:2K|J|0J|K)/g, '\n')
    .replace(ANSI, '')
    .replace(/\r+\n/g, '\n');

/** Keys as a terminal sends them. */
export const KEYS = {
  enter: '\r',
  tab: '\t',
  ctrlC: '\x03',
  ctrlD: '\x04',
  ctrlR: '\x12',
  up: '\x1b[A',
  backspace: '\x7f',
} as const;

/**
 * A private home for one test run: history, saved queries, config. Removed when the test file
 * ends, after its `afterAll` hooks have stopped the terminals (see `./temp-dir.ts`).
 */
export function scratchDir(): string {
  return tempDir('baql-pty-');
}

/** One `baql` process in a pseudo-terminal. */
export class Terminal {
  private raw = '';
  private readonly exited: Promise<number>;

  private constructor(private readonly pty: IPty) {
    pty.onData((d) => {
      this.raw += d;
    });
    this.exited = new Promise((resolve) => pty.onExit(({ exitCode }) => resolve(exitCode)));
  }

  /** Starts `node dist/bin.js …args` in a 100×30 terminal. */
  static start(
    args: readonly string[],
    options: { cwd: string; env?: Record<string, string> },
  ): Terminal {
    const pty = spawn(process.execPath, [BIN, ...args], {
      name: 'xterm-256color',
      cols: 100,
      rows: 30,
      cwd: options.cwd,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: options.cwd,
        TERM: 'xterm-256color',
        BAQL_PAGER: 'cat',
        BAQL_CACHE_DIR: CACHE_DIR,
        ...options.env,
      },
    });
    return new Terminal(pty);
  }

  /** Everything printed so far, without control sequences. */
  get screen(): string {
    return stripAnsi(this.raw);
  }

  /** Everything printed so far, with control sequences. */
  get rawOutput(): string {
    return this.raw;
  }

  /** A position in the output, to wait for text printed after it. */
  mark(): number {
    return this.raw.length;
  }

  /** Types `text` (keys included). */
  type(text: string): void {
    this.pty.write(text);
  }

  /** Types `text` one character at a time, as a person does. */
  async typeSlowly(text: string, delayMs = 5): Promise<void> {
    for (const ch of text) {
      this.pty.write(ch);
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }

  /** Waits until the output after `from` matches `pattern`; returns that output (stripped). */
  async waitFor(
    pattern: RegExp | string,
    options: { from?: number; timeoutMs?: number } = {},
  ): Promise<string> {
    const from = options.from ?? 0;
    const deadline = Date.now() + (options.timeoutMs ?? 20_000);
    for (;;) {
      const text = stripAnsi(this.raw.slice(from));
      if (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text)) return text;
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${String(pattern)}; screen after mark:\n${text.slice(-3000)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Waits for the process to exit; kills it after `timeoutMs`. */
  async exit(timeoutMs = 10_000): Promise<number> {
    const timer = setTimeout(() => this.pty.kill(), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  /** Kills the process. */
  kill(): void {
    try {
      this.pty.kill();
    } catch {
      // already gone
    }
  }
}

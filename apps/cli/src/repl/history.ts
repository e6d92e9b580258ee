/**
 * Persistent REPL history, one file per profile. Each entry is one JSON string per line, so a
 * multi-line query comes back as it was typed. Older entries are dropped past `limit`.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The REPL history of one profile. */
export class History {
  /** Entries, oldest first. */
  readonly entries: string[] = [];

  /**
   * @param path - the history file (created on first add); undefined keeps history in memory only.
   * @param limit - how many entries to keep (default 5000).
   */
  constructor(
    readonly path: string | undefined,
    readonly limit = 5000,
  ) {
    if (path === undefined) return;
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return;
    }
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const entry: unknown = JSON.parse(line);
        if (typeof entry === 'string') this.entries.push(entry);
      } catch {
        // A damaged line is skipped, never fatal.
      }
    }
    if (this.entries.length > limit) this.entries.splice(0, this.entries.length - limit);
  }

  /** Adds an entry (skipping blanks and an immediate repeat) and appends it to the file. */
  add(entry: string): void {
    if (entry.trim() === '' || this.entries[this.entries.length - 1] === entry) return;
    this.entries.push(entry);
    if (this.path === undefined) return;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      if (this.entries.length > this.limit * 1.2) {
        this.entries.splice(0, this.entries.length - this.limit);
        writeFileSync(this.path, this.entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
      } else {
        appendFileSync(this.path, `${JSON.stringify(entry)}\n`);
      }
    } catch {
      // History is a convenience: a read-only home must not stop the REPL.
    }
  }

  /**
   * The newest entry containing `term` strictly older than index `before` (reverse search), or -1.
   */
  search(term: string, before: number): number {
    const needle = term.toLowerCase();
    for (let i = Math.min(before, this.entries.length) - 1; i >= 0; i -= 1) {
      if ((this.entries[i] ?? '').toLowerCase().includes(needle)) return i;
    }
    return -1;
  }
}

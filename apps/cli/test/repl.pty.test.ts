/**
 * The REPL driven through a real pseudo-terminal, as an analyst uses it: a typo shows the caret
 * and a hint; Tab completes; a query prints a table; Ctrl-C cancels a slow query and the prompt
 * comes back; `\o csv` switches the output; `\save` then `\run` round-trips a saved query.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { built, KEYS, scratchDir, Terminal } from './terminal.js';

describe.skipIf(!built)('the REPL in a pseudo-terminal', () => {
  let term: Terminal;
  let home: string;

  // Generous: on a fresh machine the first sandbox start generates its cached data set.
  beforeAll(async () => {
    home = scratchDir();
    // The "editor": rewrites `transfer` to `logout`, or deletes a file that counts by channel.
    const editor = join(home, 'editor.sh');
    writeFileSync(
      editor,
      'case "$(cat "$1")" in *"by channel"*) rm "$1" ;; *) sed -i s/transfer/logout/ "$1" ;; esac\n',
    );
    term = Terminal.start([], {
      cwd: home,
      env: { BAQL_QUERIES_DIR: join(home, 'saved'), EDITOR: `sh ${editor}` },
    });
    await term.waitFor(/embedded sandbox[\s\S]*Sample data[\s\S]*baql> /, { timeoutMs: 180_000 });
  }, 200_000);

  afterAll(async () => {
    term.type(KEYS.ctrlC);
    term.type(KEYS.ctrlD);
    expect(await term.exit()).toBe(0);
  }, 15_000);

  it('opens on the sandbox with a banner that says it is sample data and suggests a query', () => {
    expect(term.screen).toMatch(/institution \S+/);
    expect(term.screen).toMatch(/Try: .+/);
  });

  it('runs the banner suggestion and prints a table with the timing line', async () => {
    const suggestion = /Try: (.+)/.exec(term.screen)?.[1]?.trim() ?? '';
    expect(suggestion).not.toBe('');
    const mark = term.mark();
    await term.typeSlowly(suggestion);
    term.type(KEYS.enter);
    const out = await term.waitFor(
      /\d+ rows? · \d+ requests? · \d+ pages? · \d+ retr(y|ies) · [\d.]+ s[\s\S]*baql> /,
      { from: mark },
    );
    expect(out).toMatch(/┌[─┬]+┐/);
    expect(out).toMatch(/│ channel\s+│ count\s+│/);
    expect(out).toMatch(/│ (ONLINE|MOBILE)\s+│\s+\d+ │/);
  });

  it('shows a caret under a typo and a did-you-mean hint, not a stack trace', async () => {
    const mark = term.mark();
    await term.typeSlowly('type:logn since 1d');
    term.type(KEYS.enter);
    const out = await term.waitFor(/rows? ·[\s\S]*baql> /, { from: mark });
    expect(out).toMatch(/line 1, column \d+/);
    expect(out).toMatch(/\| type:logn since 1d\n\s+\|\s+\^+/);
    expect(out).toMatch(/hint: .*login/);
    expect(out).not.toMatch(/\bat .+\.js:\d+/);
  });

  it('completes event ids with Tab', async () => {
    const mark = term.mark();
    await term.typeSlowly('type:mfa');
    term.type(KEYS.tab);
    await new Promise((r) => setTimeout(r, 300));
    term.type(KEYS.tab);
    const out = await term.waitFor(
      /mfaChallenge[\s\S]*mfaEnrollment|mfaEnrollment[\s\S]*mfaChallenge/,
      { from: mark },
    );
    expect(out).toContain('mfaChallenge');
    const before = term.mark();
    term.type(KEYS.ctrlC);
    await term.waitFor(/\^C\s*\nbaql> /, { from: before });
  });

  it('completes fuzzily: mfach becomes mfaChallenge', async () => {
    const mark = term.mark();
    await term.typeSlowly('type:mfach');
    term.type(KEYS.tab);
    await term.waitFor('baql> type:mfaChallenge', { from: mark });
    const before = term.mark();
    term.type(KEYS.ctrlC);
    await term.waitFor(/\^C\s*\nbaql> /, { from: before });
  });

  it('switches to CSV with \\o csv', async () => {
    let mark = term.mark();
    term.type('\\o csv\r');
    await term.waitFor(/Output: csv/, { from: mark });
    mark = term.mark();
    await term.typeSlowly('type:login since 7d | count by segment');
    term.type(KEYS.enter);
    const out = await term.waitFor(/rows? ·[\s\S]*baql> /, { from: mark });
    expect(out).toMatch(/^segment,count\r?$/m);
    expect(out).toMatch(/^(RETAIL|BUSINESS|retail|business),\d+\r?$/m);
    term.type('\\o table\r');
    await term.waitFor(/Output: table/, { from: mark });
  });

  it('saves the last query with \\save and runs it back with \\run', async () => {
    let mark = term.mark();
    await term.typeSlowly('type:transfer since 7d | count by segment');
    term.type(KEYS.enter);
    const first = await term.waitFor(/rows? ·[\s\S]*baql> /, { from: mark });
    mark = term.mark();
    term.type('\\save transfers-by-segment\r');
    await term.waitFor(/Saved .*transfers-by-segment\.baql/, { from: mark });
    const file = join(home, 'saved', 'transfers-by-segment.baql');
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toMatch(/^# name: transfers-by-segment$/m);
    mark = term.mark();
    term.type('\\run transfers-by-segment\r');
    const again = await term.waitFor(/rows? ·[\s\S]*baql> /, { from: mark });
    const table = (s: string) =>
      s
        .split('\n')
        .filter((l) => l.startsWith('│'))
        .join('\n');
    expect(table(again)).toBe(table(first));
  });

  it('recalls history with Up, searches it with Ctrl-R, and keeps it across sessions', async () => {
    let mark = term.mark();
    term.type(KEYS.up);
    await term.waitFor('baql> \\run transfers-by-segment', { from: mark });
    term.type(KEYS.ctrlC);
    mark = term.mark();
    term.type(KEYS.ctrlR);
    await term.typeSlowly('since 7d | count');
    await term.waitFor(
      "reverse-i-search)`since 7d | count': type:transfer since 7d | count by segment",
      { from: mark },
    );
    const before = term.mark();
    term.type(KEYS.ctrlC);
    await term.waitFor(/\^C\s*\nbaql> /, { from: before });
    const history = readFileSync(join(home, '.baql', 'history', 'sandbox.jsonl'), 'utf8');
    expect(history).toContain('"type:login since 7d | count by segment"');
  });
  it('edits the last query in $EDITOR with \\e and brings it back to the prompt', async () => {
    const mark = term.mark();
    term.type('\\e\r');
    // EDITOR (set above) rewrites `transfer` to `logout` in the file it is given.
    await term.waitFor(/baql> type:logout since 7d \| count by segment/, { from: mark });
    const before = term.mark();
    term.type(KEYS.ctrlC);
    await term.waitFor(/\^C\s*\nbaql> /, { from: before });
  });

  it('says so, and keeps going, when the editor leaves no file behind', async () => {
    let mark = term.mark();
    term.type('type:login since 1d | count by channel\r');
    await term.waitFor(/rows? ·[\s\S]*baql> /, { from: mark });
    mark = term.mark();
    term.type('\\e\r');
    // EDITOR deletes this one.
    await term.waitFor(/left no file at \S+query\.baql; nothing to run\.[\s\S]*baql> /, {
      from: mark,
    });
  });

  it('writes result files only into existing folders, says when it cannot, and goes on', async () => {
    let mark = term.mark();
    await term.typeSlowly('type:login since 1h | count > nope/y.csv');
    term.type(KEYS.enter);
    await term.waitFor(/cannot write nope\/y\.csv: no such directory \S+nope[\s\S]*baql> /, {
      from: mark,
    });
    mark = term.mark();
    term.type('\\o nope2/x.csv\r');
    await term.waitFor(/cannot write nope2\/x\.csv: no such directory \S+nope2[\s\S]*baql> /, {
      from: mark,
    });
    expect(existsSync(join(home, 'nope'))).toBe(false);
    expect(existsSync(join(home, 'nope2'))).toBe(false);
    // A directory in the way used to kill the REPL with an unhandled 'error' event.
    mkdirSync(join(home, 'adir.csv'));
    mark = term.mark();
    await term.typeSlowly('type:login since 1h | count > adir.csv');
    term.type(KEYS.enter);
    await term.waitFor(/cannot write adir\.csv: it is a directory[\s\S]*baql> /, { from: mark });
    mark = term.mark();
    term.type('\\o\r');
    await term.waitFor(/Output: table to the terminal/, { from: mark });
  });

  it('replaces an existing result file only when the query succeeds, and says "1 row"', async () => {
    const keep = join(home, 'keep.csv');
    writeFileSync(keep, 'data\n');
    let mark = term.mark();
    await term.typeSlowly('user: > keep.csv');
    term.type(KEYS.enter);
    await term.waitFor(/expected a value[\s\S]*baql> /, { from: mark });
    expect(readFileSync(keep, 'utf8')).toBe('data\n');
    mark = term.mark();
    await term.typeSlowly('type:login since 1h | count > keep.csv');
    term.type(KEYS.enter);
    await term.waitFor(/Wrote 1 row to keep\.csv \(csv\)\.[\s\S]*baql> /, { from: mark });
    expect(readFileSync(keep, 'utf8').split('\n')[0]).toBe('count');
    expect(readdirSync(home).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

describe.skipIf(!built)('Ctrl-C during a slow query', () => {
  it('cancels the query (and its HTTP calls), never the REPL', async () => {
    const home = scratchDir();
    const term = Terminal.start([], { cwd: home, env: { BAQL_SANDBOX_FAULTS: 'latencyMs=8000' } });
    try {
      await term.waitFor(/embedded sandbox[\s\S]*baql> /, { timeoutMs: 180_000 });
      let mark = term.mark();
      await term.typeSlowly('type:login since 7d');
      term.type(KEYS.enter);
      await new Promise((r) => setTimeout(r, 700));
      const pressed = Date.now();
      term.type(KEYS.ctrlC);
      const out = await term.waitFor(/Cancelled\.[\s\S]*baql> /, { from: mark, timeoutMs: 6000 });
      expect(Date.now() - pressed).toBeLessThan(6000);
      expect(out).not.toMatch(/rows? ·/);
      // Still alive and usable.
      mark = term.mark();
      term.type('\\timing\r');
      await term.waitFor(/Timing is off/, { from: mark });
      term.type(KEYS.ctrlD);
      expect(await term.exit()).toBe(0);
    } finally {
      term.kill();
    }
  }, 240_000);
});

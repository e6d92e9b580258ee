/**
 * The BAQL language on a real runtime session (the embedded sandbox, small dataset): cells,
 * magics, results, errors, interrupts and content assist, without sockets.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSession } from '@baql/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBaqlLanguage } from '../src/baql-wiring.js';
import type { BaqlLanguage } from '../src/baql-language.js';
import type { CellContext, CellOutcome, MimeBundle } from '../src/language.js';
import { writeTenantProfile } from './support.js';

const SANDBOX = { events: 3000, days: 14, seed: 7 };
const env = { ...process.env, XDG_CONFIG_HOME: '/nonexistent-baql-test', BAQL_PROFILE: 'sandbox' };

interface Captured {
  displays: { data: MimeBundle; id?: string }[];
  updates: { data: MimeBundle; id: string }[];
  prompts: string[];
}

const cell = async (
  language: BaqlLanguage,
  code: string,
  signal: AbortSignal = new AbortController().signal,
  answers: (string | undefined)[] = [],
): Promise<CellOutcome & Captured> => {
  const captured: Captured = { displays: [], updates: [], prompts: [] };
  const context: CellContext = {
    signal,
    executionCount: 1,
    display: (data, id) => captured.displays.push({ data, ...(id === undefined ? {} : { id }) }),
    updateDisplay: (data, id) => captured.updates.push({ data, id }),
    stream: () => undefined,
    input: async (prompt) => {
      captured.prompts.push(prompt);
      return answers.shift();
    },
  };
  return { ...(await language.execute(code, context)), ...captured };
};

const ok = (outcome: CellOutcome) => {
  if (outcome._tag !== 'Ok') throw new Error(`${outcome.ename}: ${outcome.evalue}`);
  return outcome.result ?? {};
};

let dir: string;
let language: BaqlLanguage;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baql-lang-'));
  await writeFile(
    join(dir, 'by-channel.baql'),
    '# name: by-channel\n# param event: string required -- the event id\n# param days: duration = 7d -- window\n\ntype:$event since $days | count by channel\n',
  );
  language = openBaqlLanguage({ env, sandbox: SANDBOX, queryDirs: [dir] });
});

afterAll(async () => {
  await language.shutdown();
  await rm(dir, { recursive: true, force: true });
});

describe('BAQL cells', () => {
  it('runs a query: table, HTML, JSON and a progress display that ends with the summary', async () => {
    // progressDelayMs 0: the display appears with the first progress event.
    const eager = openBaqlLanguage({ env, sandbox: SANDBOX, queryDirs: [dir], progressDelayMs: 0 });
    try {
      const out = await cell(eager, 'type:login since 7d | limit 3');
      const result = ok(out);
      const json = result['application/json'] as { columns: string[]; rows: unknown[] };
      expect(json.rows).toHaveLength(3);
      expect(json.columns.length).toBeGreaterThan(0);
      expect(String(result['text/html'])).toContain('<table>');
      expect(String(result['text/plain'])).toMatch(/3 rows · \d+ requests? /);
      expect(out.displays).toHaveLength(1);
      expect(String(out.displays[0]?.data['text/plain'])).toMatch(/^running… /);
      expect(out.displays[0]?.id).toMatch(/^baql-progress-/);
      expect(out.updates.at(-1)?.id).toBe(out.displays[0]?.id);
      expect(String(out.updates.at(-1)?.data['text/plain'])).toMatch(/^done · 3 rows/);
    } finally {
      await eager.shutdown();
    }
  });

  it('a query that ends before the progress delay shows only its result', async () => {
    // A delay no test run reaches, so the outcome does not depend on the machine's speed.
    const patient = openBaqlLanguage({
      env,
      sandbox: SANDBOX,
      queryDirs: [dir],
      progressDelayMs: 60_000,
    });
    try {
      const out = await cell(patient, 'type:login since 7d | limit 3');
      expect(String(ok(out)['text/plain'])).toMatch(/3 rows · /);
      expect(out.displays).toEqual([]);
      expect(out.updates).toEqual([]);
    } finally {
      await patient.shutdown();
    }
  });

  it('a query still running after the delay gets a live display, updated, ending with the summary', async () => {
    // Every sandbox response takes 120 ms: the query outlives a 50 ms delay, and pages on.
    const slow = openBaqlLanguage({
      env: { ...env, BAQL_SANDBOX_FAULTS: JSON.stringify({ latencyMs: 120 }) },
      sandbox: SANDBOX,
      queryDirs: [dir],
      progressDelayMs: 50,
    });
    try {
      const started = Date.now();
      const out = await cell(slow, 'type:login since 7d | limit 3');
      expect(Date.now() - started).toBeGreaterThan(50);
      ok(out);
      expect(out.displays).toHaveLength(1);
      expect(String(out.displays[0]?.data['text/plain'])).toMatch(/^running…/);
      expect(out.updates.length).toBeGreaterThanOrEqual(1);
      expect(out.updates.every((u) => u.id === out.displays[0]?.id)).toBe(true);
      expect(String(out.updates.at(-1)?.data['text/plain'])).toMatch(/^done · 3 rows/);
      // The delay timer is re-armed for the next cell: it gets a display of its own.
      const again = await cell(slow, 'type:login since 7d | limit 2');
      ok(again);
      expect(again.displays).toHaveLength(1);
      expect(again.displays[0]?.id).not.toBe(out.displays[0]?.id);
      expect(String(again.updates.at(-1)?.data['text/plain'])).toMatch(/^done · 2 rows/);
    } finally {
      await slow.shutdown();
    }
  });

  it('the progress delay comes from BAQL_KERNEL_PROGRESS_DELAY_MS', async () => {
    const fromEnv = openBaqlLanguage({
      env: { ...env, BAQL_KERNEL_PROGRESS_DELAY_MS: '0' },
      sandbox: SANDBOX,
      queryDirs: [dir],
    });
    try {
      const out = await cell(fromEnv, 'type:login since 7d | limit 3');
      expect(out.displays).toHaveLength(1);
    } finally {
      await fromEnv.shutdown();
    }
  });

  it('charts count by and timechart in a display of their own; %json off drops the JSON', async () => {
    const chartOf = (out: Captured) =>
      out.displays.find((d) => d.data['application/vnd.vegalite.v5+json'] !== undefined)?.data;
    const bar = await cell(language, 'type:login since 7d | count by channel');
    expect(ok(bar)['application/vnd.vegalite.v5+json']).toBeUndefined();
    expect(chartOf(bar)).toMatchObject({
      'application/vnd.vegalite.v5+json': { mark: { type: 'bar' } },
      'text/plain': expect.stringMatching(/^<bar chart of \d+ rows>$/),
    });
    const line = await cell(language, 'type:login since 7d | timechart 1d');
    expect(chartOf(line)?.['application/vnd.vegalite.v5+json']).toMatchObject({
      mark: { type: 'line' },
      encoding: { x: { type: 'temporal' } },
    });
    const rows = await cell(language, 'type:login since 7d | limit 1');
    expect(chartOf(rows)).toBeUndefined();
    expect(ok(await cell(language, '%json off'))['text/plain']).toBe(
      'application/json in results: off',
    );
    const plain = ok(await cell(language, 'type:login since 7d | limit 1'));
    expect(Object.keys(plain).sort()).toEqual(['text/html', 'text/plain']);
    ok(await cell(language, '%json on'));
    expect(
      ok(await cell(language, 'type:login since 7d | limit 1'))['application/json'],
    ).toBeDefined();
  });

  it('shows 20 of a raw record’s columns by default; %display changes rows and columns', async () => {
    const display = openBaqlLanguage({ env, sandbox: SANDBOX, queryDirs: [dir] });
    try {
      const first = ok(await cell(display, 'type:login since 7d | limit 30'));
      const json = first['application/json'] as { columns: string[]; rows: unknown[] };
      expect(json.columns.length).toBeGreaterThan(20);
      expect(json.rows).toHaveLength(30);
      const hidden = json.columns.length - 20;
      const text = String(first['text/plain']);
      const header = text.split('\n')[0]?.split(/ +/) ?? [];
      expect(header).toEqual([...json.columns.slice(0, 10), '…', ...json.columns.slice(-10)]);
      expect(text).toContain(`… ${hidden} more columns not shown`);
      expect(String(first['text/html']).match(/<th>/g)).toHaveLength(20);

      expect(ok(await cell(display, '%display rows=5 columns=all'))['text/plain']).toBe(
        'rows shown: 5 · columns shown: all · application/json keeps every column (up to 10,000 rows)',
      );
      const all = ok(await cell(display, 'type:login since 7d | limit 30'));
      const allText = String(all['text/plain']);
      expect(allText.split('\n')[0]?.split(/ +/)).toEqual(json.columns);
      expect(allText).toContain('… 25 more rows');
      expect(allText).not.toContain('more columns');
      expect(String(all['text/html']).match(/<tr>/g)).toHaveLength(6); // header + 5 rows
      expect((all['application/json'] as { rows: unknown[] }).rows).toHaveLength(30);

      expect(ok(await cell(display, '%display rows=default columns=default'))['text/plain']).toBe(
        'rows shown: 50 in text, 200 in HTML (default) · columns shown: 20 (default) · application/json keeps every column (up to 10,000 rows)',
      );
      const bad = await cell(display, '%display columns=0');
      expect(bad._tag === 'Error' && bad.ename).toBe('MagicError');
    } finally {
      await display.shutdown();
    }
  });

  it('%param feeds $parameters; %param lists and removes them', async () => {
    expect(ok(await cell(language, '%param ch=MOBILE'))['text/plain']).toBe('$ch = MOBILE');
    const result = ok(await cell(language, 'type:login channel:$ch since 7d | count by channel'));
    const rows = (result['application/json'] as { rows: Record<string, unknown>[] }).rows;
    expect(rows.map((r) => r['channel'])).toEqual(['MOBILE']);
    expect(ok(await cell(language, '%param'))['text/plain']).toBe('$ch = MOBILE');
    expect(ok(await cell(language, '%param ch='))['text/plain']).toBe('removed $ch');
    expect(language.params.size).toBe(0);
  });

  it('%as keeps results; $name shows them; %as alone keeps the last one', async () => {
    const first = ok(await cell(language, '%as logins\ntype:login since 7d | count by segment'));
    expect(language.kept.has('logins')).toBe(true);
    expect(ok(await cell(language, '$logins'))['application/json']).toEqual(
      first['application/json'],
    );
    ok(await cell(language, 'type:logout since 7d | count by channel'));
    expect(ok(await cell(language, '%as outs'))['text/plain']).toMatch(
      /^kept the last result \(\d+ rows?/,
    );
    expect(language.kept.get('outs')?.columns).toEqual(['channel', 'count']);
  });

  it('%explain explains without running; %fields, %events, %values explore the catalog', async () => {
    const explained = await cell(language, '%explain\ntype:login since 1d');
    expect(String(ok(explained)['text/plain']).length).toBeGreaterThan(10);
    expect(explained.displays).toHaveLength(0);
    expect(String(ok(await cell(language, '%events'))['text/plain'])).toContain('login');
    const values = ok(await cell(language, '%values kind'))['application/json'] as {
      rows: unknown[];
    };
    expect(values.rows).toEqual([{ value: 'user' }, { value: 'system' }]);
    const both = await cell(language, '%fields\n%values segment');
    expect(both.displays).toHaveLength(1);
    expect(String(both.displays[0]?.data['text/plain'])).toContain('segment');
  });

  it('%run runs a saved query with parameters and defaults; missing ones are named', async () => {
    const result = ok(await cell(language, '%run by-channel event=login'));
    expect((result['application/json'] as { columns: string[] }).columns).toEqual([
      'channel',
      'count',
    ]);
    expect(await cell(language, '%run by-channel')).toMatchObject({
      _tag: 'Error',
      ename: 'SavedQueryError',
      evalue: expect.stringContaining('$event'),
    });
    expect(await cell(language, '%run nope')).toMatchObject({
      _tag: 'Error',
      ename: 'SavedQueryError',
    });
  });

  it('%run finds a saved query by its file name in every query folder, not just the first', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'baql-lang-empty-'));
    const second = openBaqlLanguage({ env, sandbox: SANDBOX, queryDirs: [empty, dir] });
    try {
      for (const name of ['by-channel', 'by-channel.baql'])
        expect(
          ok(await cell(second, `%run ${name} event=login`))['application/json'],
        ).toMatchObject({
          columns: ['channel', 'count'],
        });
    } finally {
      await second.shutdown();
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('comment lines: above magics they are notes; a cell of only comments runs nothing', async () => {
    ok(await cell(language, 'type:login since 7d | count'));
    expect(await cell(language, '  # just a note\n\n# and another')).toMatchObject({ _tag: 'Ok' });
    expect(await cell(language, '  # just a note')).not.toHaveProperty('result');
    // %as keeps the last result (the count), not a query made of the comment.
    expect(ok(await cell(language, '%as counted\n# why: for the report'))['text/plain']).toMatch(
      /^kept the last result \(1 row/,
    );
    expect(
      ok(await cell(language, '# weekly\n%as again\ntype:login since 1d | count')),
    ).toHaveProperty('application/json');
  });

  it('errors: caret diagnostics with hints, bad magics, unknown fields and profiles', async () => {
    const syntax = await cell(language, 'type=login since 1d');
    expect(syntax).toMatchObject({ _tag: 'Error', ename: 'QuerySyntaxError' });
    const traceback = syntax._tag === 'Error' ? syntax.traceback.join('\n') : '';
    expect(traceback).toContain('1 | type=login since 1d');
    expect(traceback).toMatch(/\|\s+\^/);
    expect(traceback).toContain('hint:');
    expect(syntax.displays).toHaveLength(0);
    expect(await cell(language, '%valuez x')).toMatchObject({
      ename: 'MagicError',
      evalue: 'unknown magic %valuez',
    });
    expect(await cell(language, '%values nosuchfield')).toMatchObject({ ename: 'UnknownField' });
    expect(await cell(language, '%explain')).toMatchObject({ ename: 'MagicError' });
  });

  it('an unknown profile is a ProfileError, and the current session stays usable', async () => {
    const failed = await cell(language, '%profile no-such-profile');
    expect(failed).toMatchObject({ _tag: 'Error', ename: 'ProfileError' });
    expect(ok(await cell(language, 'type:login since 1d | count by kind'))['text/plain']).toContain(
      'user',
    );
  });

  it('%profile asks for a missing secret on stdin (hidden) and uses it for that session only', async () => {
    // A "tenant" profile pointing at a running sandbox, whose secret is not configured.
    const upstream = await openSession({ profile: 'sandbox', sandbox: SANDBOX, env });
    const xdg = join(dir, 'xdg');
    await writeTenantProfile(xdg, upstream.info, 'BAQL_TEST_TENANT_SECRET');
    const prompted = openBaqlLanguage({ env: { ...env, XDG_CONFIG_HOME: xdg }, sandbox: SANDBOX });
    try {
      const declined = await cell(prompted, '%profile tenant', undefined, [undefined]);
      expect(declined).toMatchObject({ _tag: 'Error', ename: 'ProfileError' });
      expect(declined._tag === 'Error' && declined.evalue).toMatch(/BAQL_TEST_TENANT_SECRET/);
      expect(declined.prompts).toEqual(['client secret for profile tenant: ']);
      // The sandbox's documented sample secret (packages/sandbox README).
      const opened = await cell(prompted, '%profile tenant', undefined, ['sandbox-secret']);
      expect(ok(opened)['text/plain']).toBe('profile tenant');
      const rows = ok(await cell(prompted, 'type:login since 7d | limit 2'));
      expect((rows['application/json'] as { rows: unknown[] }).rows).toHaveLength(2);
      expect(JSON.stringify(rows)).not.toContain('sandbox-secret');
      expect(process.env['BAQL_TEST_TENANT_SECRET']).toBeUndefined();
    } finally {
      await prompted.shutdown();
      await upstream.close();
    }
  });

  it('interrupting aborts the query quickly', async () => {
    const slow = openBaqlLanguage({
      env,
      sandbox: { ...SANDBOX, faults: { latencyMs: 3000 } },
      queryDirs: [dir],
    });
    try {
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(new Error('interrupted')), 300);
      const out = await cell(slow, 'type:login since 7d', controller.signal);
      expect(out).toMatchObject({ _tag: 'Error', ename: 'KeyboardInterrupt' });
      expect(Date.now() - started).toBeLessThan(2500);
    } finally {
      await slow.shutdown();
    }
  });
});

describe('BAQL content assist', () => {
  it('completes magics, fields, event ids and enum values, with positions', async () => {
    expect(await language.complete('%va', 3)).toMatchObject({
      matches: ['%values'],
      cursorStart: 0,
      cursorEnd: 3,
    });
    expect((await language.complete('%values seg', 11)).matches).toContain('segment');
    // In the middle of a word, the whole word is replaced (as in queries).
    expect(await language.complete('%values chan', 10)).toMatchObject({
      cursorStart: 8,
      cursorEnd: 12,
    });
    expect((await language.complete('%values chan', 10)).matches).toContain('channel');
    expect(await language.complete('%valu', 2)).toMatchObject({ cursorStart: 0, cursorEnd: 5 });
    const event = await language.complete('type:log', 8);
    expect(event.matches).toContain('login');
    expect(event.cursorStart).toBe(5);
    const value = await language.complete('segment:re', 10);
    expect(value.matches).toContain('retail');
    const afterMagic = await language.complete('%as x\ntype:lo', 13);
    expect(afterMagic.matches).toContain('login');
    expect(afterMagic.cursorStart).toBe(11);
  });

  it('is_complete: open parenthesis and quote are incomplete; magics alone are complete', async () => {
    expect(await language.isComplete('type:login AND (user:a')).toMatchObject({
      status: 'incomplete',
    });
    expect(await language.isComplete('note:"abc')).toMatchObject({ status: 'incomplete' });
    expect(await language.isComplete('type:login since 1d')).toEqual({ status: 'complete' });
    expect(await language.isComplete('%fields')).toEqual({ status: 'complete' });
    expect(await language.isComplete('%fieldz')).toEqual({ status: 'invalid' });
  });

  it('inspects fields, events and magics, with the compiled requests', async () => {
    const field = await language.inspect('segment:retail since 1d', 3, 0);
    expect(field.found).toBe(true);
    expect(String(field.data['text/markdown'])).toContain('**segment**');
    expect(String(field.data['text/markdown'])).toContain('values: retail, business');
    expect(String(field.data['text/markdown'])).toContain('"userType"');
    const detailed = await language.inspect('segment:retail since 1d', 3, 1);
    expect(String(detailed.data['text/markdown'])).toContain('**Plan**');
    expect(String(field.data['text/markdown'])).not.toContain('**Plan**');
    const bad = await language.inspect('type=login', 2, 0);
    expect(String(bad.data['text/plain'])).toContain('BAQL_FOREIGN_SYNTAX');
    const event = await language.inspect('type:login', 7, 0);
    expect(String(event.data['text/markdown'])).toContain('**login** (user event)');
    const magic = await language.inspect('%values x', 3, 0);
    expect(String(magic.data['text/plain'])).toContain('%values field');
    expect((await language.inspect('', 0, 0)).found).toBe(false);
  });
});

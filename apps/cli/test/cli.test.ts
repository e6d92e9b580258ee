/**
 * The batch CLI, run as the built bin: help, explain (text, JSON, diagnostics), fmt, check and run
 * with its exit codes (0 ok, 1 runtime, 2 invalid query).
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BIN, built, CACHE_DIR, ROOT, scratchDir } from './terminal.js';

const exec = promisify(execFile);

async function baql(
  args: readonly string[],
  options: { cwd?: string; input?: string; env?: Record<string, string> } = {},
) {
  const child = exec(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: options.cwd ?? scratchDir(),
      BAQL_CACHE_DIR: CACHE_DIR,
      ...options.env,
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (options.input !== undefined) {
    child.child.stdin?.end(options.input);
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const NOW = '2026-11-20T12:00:00Z';

describe.skipIf(!built)('baql (batch)', () => {
  it('prints help that lists every command', async () => {
    const { code, stdout } = await baql(['--help']);
    expect(code).toBe(0);
    for (const command of ['run', 'explain', 'fmt', 'check', 'sandbox', 'serve', 'kernel']) {
      expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    const readme = readFileSync(join(ROOT, 'apps/cli/README.md'), 'utf8');
    expect(readme).toContain(stdout.trim());
  });

  it('is linked by npm through an executable launcher that exists before the build', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'apps/cli/package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    const launcher = join(ROOT, 'apps/cli', pkg.bin.baql ?? '');
    expect(statSync(launcher).mode & 0o111).not.toBe(0);
    expect(readFileSync(launcher, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const { stdout } = await exec(launcher, ['--version']);
    expect(stdout.trim()).toBe('0.0.0');
  });

  it('delegates sandbox, serve and kernel to their apps', async () => {
    const sandbox = await baql(['sandbox', '--help']);
    expect(sandbox.code).toBe(0);
    expect(sandbox.stdout).toMatch(/^Usage: baql sandbox/m);
    const serve = await baql(['serve', '--help']);
    expect(serve.code).toBe(0);
    expect(serve.stdout).toMatch(/^Usage: baql serve/m);
    const kernel = await baql(['kernel', 'install', '--help']);
    expect(kernel.code).toBe(0);
    expect(kernel.stdout).toMatch(/install/);
  });

  it('explains the mission example as exactly one request, in JSON', async () => {
    const { code, stdout } = await baql([
      'explain',
      '--json',
      '--now',
      NOW,
      'user:123 AND (type:login OR type:transfer) NOT segment:retail since 7d | count by type',
    ]);
    expect(code).toBe(0);
    const plan = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(plan)).toEqual(['window', 'requests', 'residual', 'pipeline', 'notes']);
    const requests = plan.requests as Record<string, unknown>[];
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      userId: '123',
      userIdType: 'loginId',
      eventIds: expect.arrayContaining(['login', 'transfer']),
      userType: 'business',
    });
  });

  it('explains in words without --json', async () => {
    const { code, stdout } = await baql(['explain', '--now', NOW, 'type:login since 1d']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/request/i);
  });

  it('shows diagnostics with the line, a caret and hints, and exits 2', async () => {
    const { code, stdout, stderr } = await baql(['explain', 'type=login']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/line 1, column \d+/);
    expect(stderr).toMatch(/\|\s+\^/);
    expect(stderr).toMatch(/hint: .*type:login/);
    const json = await baql(['explain', '--json', 'type=login']);
    expect(json.code).toBe(2);
    const body = JSON.parse(json.stdout) as {
      diagnostics: { code: string; span: unknown; hints: string[] }[];
    };
    expect(body.diagnostics.length).toBeGreaterThan(0);
    expect(body.diagnostics[0]).toHaveProperty('span');
  });

  it('rejects a bad option with exit 2 and no stack trace', async () => {
    const { code, stderr } = await baql(['run', '--format', 'xml', '-e', 'type:login']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/xml/);
    expect(stderr).not.toMatch(/at .+\.js:\d+/);
  });

  it('checks the queries folder: every saved query is valid', async () => {
    const { code, stdout } = await baql(['check', 'queries/', '--now', NOW]);
    expect(stdout).toMatch(/\d+ files checked: 0 errors/);
    expect(code).toBe(0);
  });

  it('keeps the queries folder canonical (fmt --check)', async () => {
    const { code, stdout } = await baql(['fmt', '--check', 'queries/']);
    expect(stdout).toBe('');
    expect(code).toBe(0);
  });

  it('reports bad files as file:line:col and exits 1', async () => {
    const dir = scratchDir();
    writeFileSync(
      join(dir, 'bad.baql'),
      '# name: bad\n# param who: string required\n\ntpye:login user:$whom\n',
    );
    const { code, stdout } = await baql(['check', '.'], { cwd: dir });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^bad\.baql:4:1: warning: .*tpye/m);
    expect(stdout).toMatch(/^bad\.baql:4:17: error: .*whom/m);
    expect(stdout).toMatch(/hint: did you mean `type`\?/);
  });

  it('formats a file in place, and --check then passes', async () => {
    const dir = scratchDir();
    writeFileSync(
      join(dir, 'q.baql'),
      '# tags: a,b\n# name: q\ntype:login    since 7d|count by channel\n',
    );
    const before = readFileSync(join(dir, 'q.baql'), 'utf8');
    const check = await baql(['fmt', '--check', 'q.baql'], { cwd: dir });
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('q.baql: not formatted');
    expect((await baql(['fmt', 'q.baql'], { cwd: dir })).code).toBe(0);
    const text = readFileSync(join(dir, 'q.baql'), 'utf8');
    expect(text).not.toBe(before);
    expect(text.startsWith('# name: q\n# tags: a, b\n')).toBe(true);
    expect(text).toContain('| count by channel');
    expect((await baql(['fmt', '--check', 'q.baql'], { cwd: dir })).code).toBe(0);
  });

  it('runs a saved query with a parameter, and names a missing required one', async () => {
    const dir = scratchDir();
    mkdirSync(join(dir, 'q'));
    cpSync(join(ROOT, 'queries/support/user-sessions.baql'), join(dir, 'q/s.baql'));
    const missing = await baql(['run', 'q/s.baql'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/\$user.*required/);
    const ran = await baql(
      ['run', 'q/s.baql', '--param', 'user=nobody-at-all', '--format', 'csv'],
      { cwd: dir },
    );
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(ran.stdout.split('\n')[0]).toBe('time,type,session,channel,ip');
  }, 180_000);

  it('streams ndjson to a pipe by default, stdout clean, and writes --out files', async () => {
    const dir = scratchDir();
    const piped = await baql(['run', '-e', 'type:login since 7d | limit 25'], { cwd: dir });
    expect(piped.code).toBe(0);
    const lines = piped.stdout.trim().split('\n');
    expect(lines).toHaveLength(25);
    for (const line of lines) expect(JSON.parse(line)).toHaveProperty('eventId', 'login');
    expect(piped.stderr).toBe('');
    const file = await baql(
      ['run', '-e', 'type:login since 7d | count by channel', '--out', 'c.csv'],
      { cwd: dir },
    );
    expect(file.code).toBe(0);
    expect(readFileSync(join(dir, 'c.csv'), 'utf8').split('\n')[0]).toBe('channel,count');
    expect(file.stderr).toMatch(/rows? · /);
  }, 180_000);

  it('stops with exit 1 and a clear message past --max-pages, after the rows it had', async () => {
    const dir = scratchDir();
    const capped = await baql(['run', '-e', 'kind:* since 30d', '--max-pages', '1'], { cwd: dir });
    expect(capped.code).toBe(1);
    expect(capped.stderr).toMatch(/stopped after 1 pages \(--max-pages\)/);
    expect(capped.stderr).not.toMatch(/\n\s+at /);
    const lines = capped.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(JSON.parse(line)).toHaveProperty('eventId');
  }, 180_000);

  it('refuses a query of only comments instead of running the match-everything query', async () => {
    const dir = scratchDir();
    const ran = await baql(['run', '-e', '# failed logins, to do\n  # later'], { cwd: dir });
    expect(ran.code).toBe(2);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toBe('baql run: -e holds no query\n');
  }, 60_000);

  it('reads the query from stdin and exits 2 on an invalid one', async () => {
    const dir = scratchDir();
    const bad = await baql(['run', '-'], { cwd: dir, input: 'type:login AND\n' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/\^/);
  }, 180_000);

  it('exits 1 with a clear message when the upstream fails', async () => {
    const dir = scratchDir();
    const { code, stderr } = await baql(['run', '-e', 'type:login since 1d', '--profile', 'nope'], {
      cwd: dir,
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/unknown profile "nope"/);
  });
});

/**
 * The batch CLI, run as the built bin: help, explain (text, JSON, diagnostics), fmt, check and run
 * with its exit codes (0 ok, 1 runtime, 2 invalid query).
 */
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
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

  it("documents each command's --help in the README", async () => {
    const readme = readFileSync(join(ROOT, 'apps/cli/README.md'), 'utf8');
    for (const command of ['run', 'explain', 'fmt', 'check', 'kernel']) {
      const { code, stdout } = await baql([command, '--help']);
      expect(code).toBe(0);
      expect(readme).toContain(`\`\`\`\n${stdout.trim()}\n\`\`\``);
    }
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

  it('--tz sets the time zone of today and of dates without an offset, over the profile', async () => {
    const dir = scratchDir();
    const now = ['--now', '2026-12-02T12:00:00.000Z'];
    const ny = await baql(
      ['explain', 'type:login since today', ...now, '--tz', 'America/New_York'],
      {
        cwd: dir,
      },
    );
    expect(ny.stdout.split('\n')[0]).toBe(
      'window: 2026-12-02T05:00:00.000Z → 2026-12-02T12:00:00.000Z',
    );
    const tokyo = await baql(['--tz', 'Asia/Tokyo', 'explain', 'since 2026-12-02T00:00', ...now], {
      cwd: dir,
    });
    expect(tokyo.stdout.split('\n')[0]).toBe(
      'window: 2026-12-01T15:00:00.000Z → 2026-12-02T12:00:00.000Z',
    );
    const bad = await baql(['explain', 'since today', '--tz', 'Mars/Olympus'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/`Mars\/Olympus` is not a time zone/);
  }, 60_000);

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

describe.skipIf(!built)('baql (batch): result files, usage errors, profiles', () => {
  it('says in one line that a --out file cannot be written, and creates no folder', async () => {
    const dir = scratchDir();
    mkdirSync(join(dir, 'adir'));
    const query = ['run', '-e', 'type:login since 1h | count'];
    const missing = await baql([...query, '-o', 'no/d/out.csv'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^baql: cannot write no\/d\/out\.csv: no such directory \S*\/no\/d\n$/,
    );
    expect(existsSync(join(dir, 'no'))).toBe(false);
    const directory = await baql([...query, '-o', 'adir'], { cwd: dir });
    expect(directory.code).toBe(1);
    expect(directory.stderr).toBe('baql: cannot write adir: it is a directory\n');
  });

  it.skipIf(!existsSync('/dev/full'))(
    'stops with one line when writing the rows fails',
    async () => {
      const full = await baql(['run', '-e', 'type:login since 7d', '-o', '/dev/full']);
      expect(full.code).toBe(1);
      expect(full.stderr).toBe('baql: cannot write /dev/full: no space left on device\n');
    },
    180_000,
  );

  it('leaves an existing --out file alone unless the query succeeds', async () => {
    const dir = scratchDir();
    const keep = join(dir, 'keep.csv');
    writeFileSync(keep, 'data\n');
    const invalid = await baql(['run', '-e', 'user:', '-o', 'keep.csv'], { cwd: dir });
    expect(invalid.code).toBe(2);
    expect(readFileSync(keep, 'utf8')).toBe('data\n');
    const upstream = await baql(['run', '-e', 'type:login since 1h', '-o', 'keep.csv'], {
      cwd: dir,
      env: { BAQL_SANDBOX_FAULTS: 'errorRate=1' },
    });
    expect(upstream.code).toBe(1);
    expect(readFileSync(keep, 'utf8')).toBe('data\n');
    const ok = await baql(['run', '-e', 'type:login since 1h | count', '-o', 'keep.csv'], {
      cwd: dir,
    });
    expect(ok.code).toBe(0);
    expect(readFileSync(keep, 'utf8').split('\n')[0]).toBe('count');
    // No temporary file is left behind.
    expect(readdirSync(dir)).toEqual(['keep.csv']);
  }, 180_000);

  it('says why an integer option is bad, on stderr, with exit 2', async () => {
    for (const [option, value] of [
      ['--limit', '0'],
      ['--max-pages', 'abc'],
      ['--max-pages', '-3'],
    ] as const) {
      const { code, stdout, stderr } = await baql([
        'run',
        '-e',
        'type:login since 1h',
        option,
        value,
      ]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        `baql: option '${option} <n>' argument '${value}' is invalid: must be a positive integer\n`,
      );
    }
  });

  it('says a mistyped command is unknown and suggests one; help <command> is its help', async () => {
    const typo = await baql(['exlain', 'type:login']);
    expect(typo.code).toBe(2);
    expect(typo.stdout).toBe('');
    expect(typo.stderr).toBe("baql: unknown command 'exlain' (did you mean explain?)\n");
    const help = await baql(['help', 'run']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: baql run /);
    expect(help.stdout).toBe((await baql(['run', '--help'])).stdout);
  });

  it("hands a command's options to the kernel, and keeps -p before a command baql's", async () => {
    const dir = scratchDir();
    const spec = await baql(['kernel', 'install', '--profile', 'prod', '--print-spec'], {
      cwd: dir,
    });
    expect(spec.code).toBe(0);
    const kernelJson = JSON.parse(spec.stdout.slice(spec.stdout.indexOf('{'))) as {
      env: Record<string, string>;
    };
    expect(kernelJson.env).toEqual({ BAQL_PROFILE: 'prod' });
    const before = await baql(['-p', 'nope', 'run', '-e', 'type:login since 1d'], { cwd: dir });
    expect(before.code).toBe(1);
    expect(before.stderr).toMatch(/unknown profile "nope"/);
  });

  it("reports a saved query's error at the file's line and column, with its name", async () => {
    const dir = scratchDir();
    const text = readFileSync(join(ROOT, 'queries/support/user-sessions.baql'), 'utf8');
    expect(text).toContain('since 7d');
    writeFileSync(join(dir, 'typo.baql'), text.replace('since 7d', 'since 7x'));
    const checked = await baql(['check', 'typo.baql'], { cwd: dir });
    const where = /^typo\.baql:\d+:\d+: error/m.exec(checked.stdout)?.[0];
    expect(where).toBeDefined();
    expect(where).not.toMatch(/^typo\.baql:1:/);
    const ran = await baql(['run', 'typo.baql', '--param', 'user=alice'], { cwd: dir });
    expect(ran.code).toBe(2);
    expect(ran.stderr.startsWith(`${where}[BAQL_BAD_TIME]: \`7x\` is not a time`)).toBe(true);
    expect(ran.stderr).toMatch(/^ +\d+ \| .*since 7x/m);
  }, 180_000);

  describe('with a plugin in the config', () => {
    const pluginDir = () => {
      const dir = scratchDir();
      writeFileSync(join(dir, 'baql.config.json'), '{"plugins":["@baql/plugin-fraud"]}\n');
      writeFileSync(
        join(dir, 'f.baql'),
        '# name: f\n\n@failedLogins since 1d | count by country\n',
      );
      return dir;
    };

    it('explains, checks and formats a query with its macros and fields', async () => {
      const dir = pluginDir();
      const explained = await baql(['explain', '--json', '--now', NOW, '@failedLogins since 1d'], {
        cwd: dir,
      });
      expect(explained.stderr).toBe('');
      expect(explained.code).toBe(0);
      const plan = JSON.parse(explained.stdout) as { requests: { eventIds: string[] }[] };
      expect(plan.requests[0]?.eventIds).toEqual(['login']);
      const checked = await baql(['check', 'f.baql', '--now', NOW], { cwd: dir });
      expect(checked.stdout).toBe('1 file checked: 0 errors, 0 warnings\n');
      expect(checked.code).toBe(0);
      const formatted = await baql(['fmt', '--check', 'f.baql'], { cwd: dir });
      expect(formatted.stderr).toBe('');
      expect(formatted.code).toBe(0);
    }, 180_000);

    it('shows an unknown macro where it is, and fails on an unknown profile', async () => {
      const dir = pluginDir();
      const ran = await baql(['run', '-e', '@nosuch since 1d'], { cwd: dir });
      expect(ran.code).toBe(2);
      expect(ran.stderr).toMatch(/^error\[unknown-macro\] at line 1, column 1: unknown macro/);
      expect(ran.stderr).toMatch(/^ {4}\| \^{7}$/m);
      const explained = await baql(['-p', 'nosuch', 'explain', 'type:login'], { cwd: dir });
      expect(explained.code).toBe(1);
      expect(explained.stderr).toMatch(/^baql: .*unknown profile "nosuch"/);
    }, 180_000);
  });
});

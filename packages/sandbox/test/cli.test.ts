import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SANDBOX_HELP, parseSandboxArgs, runSandboxCli } from '../src/index.js';
import { accessToken, daysAgo, searchRequest } from './helpers.js';

describe('baql sandbox arguments', () => {
  it('parses every option', () => {
    expect(
      parseSandboxArgs(
        [
          '--port',
          '0',
          '--host=0.0.0.0',
          '--db',
          ':memory:',
          '--seed',
          '9',
          '--events',
          '500',
          '--days',
          '30',
          '--faults',
          'latencyMs=5,errorRate=0.1',
          '--token-ttl',
          '60',
          '--key-case',
          'camel',
          '--require-account-read',
          '--reject-not-equal-like',
          '--lookback-days',
          '93',
          '--admin',
          '--config',
          'c.json',
          '--quiet',
        ],
        {},
      ),
    ).toEqual({
      _tag: 'serve',
      quiet: true,
      options: {
        port: 0,
        host: '0.0.0.0',
        db: ':memory:',
        seed: 9,
        events: 500,
        days: 30,
        faults: { latencyMs: 5, errorRate: 0.1 },
        tokenTtlSeconds: 60,
        keyCase: 'camel',
        requireAccountRead: true,
        rejectNotEqualLike: true,
        lookbackDays: 93,
        adminEnabled: true,
        config: 'c.json',
      },
    });
  });

  it('takes faults from BAQL_SANDBOX_FAULTS when --faults is absent', () => {
    expect(parseSandboxArgs([], { BAQL_SANDBOX_FAULTS: 'resetRate=0.2' })).toEqual({
      _tag: 'serve',
      quiet: false,
      options: { faults: { resetRate: 0.2 } },
    });
  });

  it('parses import and help', () => {
    expect(
      parseSandboxArgs(['import', 'e.ndjson', '--db', 'x.db', '--institution', '00042'], {}),
    ).toEqual({ _tag: 'import', file: 'e.ndjson', db: 'x.db', institutionId: '00042' });
    expect(parseSandboxArgs(['--help'], {})).toEqual({ _tag: 'help' });
  });

  it.each([
    [['--port', 'abc'], '--port needs a non-negative integer'],
    [['--key-case', 'upper'], '--key-case is lower or camel'],
    [['--faults', 'errorRate=3'], '--faults: fault "errorRate" is a rate between 0 and 1'],
    [['--nope'], 'unknown option --nope (see baql sandbox --help)'],
    [['import'], 'import needs a file: baql sandbox import <events.ndjson> --db <file>'],
    [
      ['import', 'e.ndjson'],
      'import needs --db <file> (the database the sandbox will serve with --db)',
    ],
  ])('rejects %j with a clear message', (argv, message) => {
    expect(parseSandboxArgs(argv, {})).toEqual({ _tag: 'error', message });
  });

  it('documents every option in the help text and the README', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const flag of SANDBOX_HELP.match(/--[a-z-]+/g) ?? []) expect(readme).toContain(flag);
    expect(readme).toContain(SANDBOX_HELP.trim());
  });
});

describe('runSandboxCli', () => {
  it('starts a sandbox, prints its credentials, serves requests and stops', async () => {
    let out = '';
    const logs: string[] = [];
    const code = await runSandboxCli(['--port', '0', '--events', '300', '--seed', '2'], {
      out: (t) => (out += t),
      err: (t) => logs.push(t),
      until: async (sb) => {
        const t = await accessToken(sb);
        const r = await searchRequest(sb, t, {
          startTime: daysAgo(30),
          endTime: new Date().toISOString(),
          pageSize: 3,
        });
        expect(r.status).toBe(200);
      },
    });
    expect(code).toBe(0);
    expect(out).toMatch(/baql sandbox \(SAMPLE DATA\) listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toContain('baql-sandbox / sandbox-secret');
    expect(logs.some((l) => l.includes('POST /v1/banking-activities 200'))).toBe(true);
  });

  it('exits 2 with a message on bad arguments and 1 when it cannot listen', async () => {
    let err = '';
    expect(await runSandboxCli(['--seed'], { out: () => undefined, err: (t) => (err += t) })).toBe(
      2,
    );
    expect(err).toBe('baql sandbox: --seed needs a non-negative integer\n');
    err = '';
    expect(
      await runSandboxCli(['--port', '0', '--host', '203.0.113.1', '--events', '100', '--quiet'], {
        out: () => undefined,
        err: (t) => (err += t),
      }),
    ).toBe(1);
    expect(err).toMatch(/^baql sandbox: cannot listen on 203\.0\.113\.1:0: /);
  });
});

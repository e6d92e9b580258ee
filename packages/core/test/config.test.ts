import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { configCandidates, loadConfigE, resolveProfileE } from '../src/config.js';
import { describeError } from '../src/errors.js';
import { tempDir } from './temp-dir.js';

const dir = () => tempDir('baql-config-');
const write = (path: string, value: unknown) => writeFileSync(path, JSON.stringify(value));

describe('config', () => {
  it('without any file resolves the embedded sandbox profile', () => {
    const cwd = dir();
    const loaded = loadConfigE({ cwd, env: { XDG_CONFIG_HOME: join(cwd, 'xdg') } });
    expect(E.isRight(loaded) && loaded.right.path).toBeUndefined();
    if (E.isRight(loaded)) {
      const p = resolveProfileE(loaded.right, undefined, {});
      expect(E.isRight(p) && p.right.sandbox).toBe(true);
    }
  });

  it('takes the time settings from the profile over the file-wide defaults, and checks them', () => {
    const cwd = dir();
    write(join(cwd, 'baql.config.json'), {
      timeZone: 'America/New_York',
      lookbackDays: 93,
      profiles: { sandbox: { defaultWindow: '7d', timeZone: 'Europe/Paris' }, other: {} },
    });
    const loaded = loadConfigE({ cwd, env: {} });
    if (E.isLeft(loaded)) throw new Error('load failed');
    expect(resolveProfileE(loaded.right, 'sandbox', {})).toMatchObject(
      E.right({ timeZone: 'Europe/Paris', defaultWindow: '7d', lookbackDays: 93 }),
    );
    expect(resolveProfileE(loaded.right, 'other', {})).toMatchObject(
      E.right({ timeZone: 'America/New_York', lookbackDays: 93 }),
    );
    for (const [bad, message] of [
      [{ timeZone: 'Mars/Olympus' }, /not an IANA time zone/],
      [{ defaultWindow: 'a week' }, /not a duration/],
      [{ lookbackDays: 0 }, /positive whole number/],
    ] as const) {
      write(join(cwd, 'baql.config.json'), bad);
      const again = loadConfigE({ cwd, env: {} });
      if (E.isLeft(again)) throw new Error('load failed');
      const p = resolveProfileE(again.right, undefined, {});
      expect(E.isLeft(p) && p.left.message).toMatch(message);
    }
  });

  it('prefers ./baql.config.json, then $XDG_CONFIG_HOME/baql/config.json', () => {
    const cwd = dir();
    const xdg = join(cwd, 'xdg');
    mkdirSync(join(xdg, 'baql'), { recursive: true });
    write(join(xdg, 'baql', 'config.json'), { defaultProfile: 'user' });
    expect(configCandidates({ cwd, env: { XDG_CONFIG_HOME: xdg } })).toEqual([
      join(cwd, 'baql.config.json'),
      join(xdg, 'baql', 'config.json'),
    ]);
    const a = loadConfigE({ cwd, env: { XDG_CONFIG_HOME: xdg } });
    expect(E.isRight(a) && a.right.file.defaultProfile).toBe('user');
    write(join(cwd, 'baql.config.json'), { defaultProfile: 'project' });
    const b = loadConfigE({ cwd, env: { XDG_CONFIG_HOME: xdg } });
    expect(E.isRight(b) && b.right.file.defaultProfile).toBe('project');
  });

  it('resolves a remote profile with the secret from the environment', () => {
    const cwd = dir();
    write(join(cwd, 'baql.config.json'), {
      defaultProfile: 'prod',
      plugins: ['@baql/plugin-fraud'],
      profiles: {
        prod: {
          baseUrl: 'production',
          clientId: 'cid',
          institutionId: '00016',
          scopes: ['banking-activities:read'],
        },
      },
    });
    const loaded = loadConfigE({ cwd, env: {} });
    if (E.isLeft(loaded)) throw new Error('load failed');
    const p = resolveProfileE(loaded.right, undefined, { BAQL_CLIENT_SECRET: 'sek' });
    expect(p).toEqual(
      E.right({
        name: 'prod',
        sandbox: false,
        baseUrl: 'https://api.candescent.com',
        clientId: 'cid',
        clientSecret: 'sek',
        institutionId: '00016',
        grant: { type: 'client_credentials' },
        plugins: ['@baql/plugin-fraud'],
        pluginDir: cwd,
        scopes: ['banking-activities:read'],
      }),
    );
    const missing = resolveProfileE(loaded.right, undefined, {});
    expect(E.isLeft(missing) && describeError(missing.left)).toContain('BAQL_CLIENT_SECRET');
  });

  it('refuses a secret file other users can read, and reads a private one', () => {
    const cwd = dir();
    const secret = join(cwd, 'secret');
    writeFileSync(secret, 'from-file\n');
    chmodSync(secret, 0o644);
    write(join(cwd, 'baql.config.json'), {
      profiles: {
        p: {
          baseUrl: 'https://api.stage.candescent.com',
          clientId: 'c',
          institutionId: '1',
          clientSecretFile: './secret',
        },
      },
    });
    const loaded = loadConfigE({ cwd, env: {} });
    if (E.isLeft(loaded)) throw new Error('load failed');
    const refused = resolveProfileE(loaded.right, 'p', {});
    expect(E.isLeft(refused) && refused.left.message).toMatch(
      /readable by other users .*chmod 600/,
    );
    chmodSync(secret, 0o600);
    const ok = resolveProfileE(loaded.right, 'p', {});
    expect(E.isRight(ok) && !ok.right.sandbox && ok.right.clientSecret).toBe('from-file');
  });

  it('rejects secrets written in the file, bad JSON, unknown profiles and http hosts with clear messages', () => {
    const cwd = dir();
    const path = join(cwd, 'baql.config.json');
    write(path, {
      profiles: {
        p: { baseUrl: 'production', clientId: 'c', institutionId: '1', clientSecret: 'oops' },
      },
    });
    const a = loadConfigE({ cwd, env: {} });
    expect(E.isLeft(a) && a.left.message).toContain('secrets do not belong in the config file');
    expect(E.isLeft(a) && a.left.message).not.toContain('oops');
    writeFileSync(path, '{ nope');
    expect(E.isLeft(loadConfigE({ cwd, env: {} }))).toBe(true);
    write(path, {
      profiles: { p: { baseUrl: 'http://example.com', clientId: 'c', institutionId: '1' } },
    });
    const loaded = loadConfigE({ cwd, env: {} });
    if (E.isLeft(loaded)) throw new Error('load failed');
    const http = resolveProfileE(loaded.right, 'p', { BAQL_CLIENT_SECRET: 'x' });
    expect(E.isLeft(http) && http.left.message).toContain('must use https');
    const unknown = resolveProfileE(loaded.right, 'nope', {});
    expect(E.isLeft(unknown) && unknown.left.message).toContain(
      'unknown profile "nope" (known: sandbox, p)',
    );
  });

  it('password profiles read the password from the environment', () => {
    const cwd = dir();
    write(join(cwd, 'baql.config.json'), {
      profiles: {
        u: {
          baseUrl: 'stage',
          clientId: 'c',
          institutionId: '1',
          grant: 'password',
          username: 'alice',
          passwordEnv: 'ALICE_PW',
        },
      },
    });
    const loaded = loadConfigE({ cwd, env: {} });
    if (E.isLeft(loaded)) throw new Error('load failed');
    const p = resolveProfileE(loaded.right, 'u', { BAQL_CLIENT_SECRET: 's', ALICE_PW: 'pw' });
    expect(E.isRight(p) && !p.right.sandbox && p.right.grant).toEqual({
      type: 'password',
      username: 'alice',
      password: 'pw',
    });
  });
});

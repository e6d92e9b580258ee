import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashKey, runServe, SERVE_HELP } from '../src/index.js';
import { tempDir } from './temp-dir.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    deps: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t) },
  };
}

describe('baql serve', () => {
  it('prints help identical to the README', async () => {
    const c = capture();
    expect(await runServe(['--help'], c.deps)).toBe(0);
    expect(c.out.join('')).toBe(SERVE_HELP);
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(SERVE_HELP.trimEnd());
  });

  it('rejects unknown options and bad ports with exit code 2', async () => {
    const c = capture();
    expect(await runServe(['serve', '--bogus'], c.deps)).toBe(2);
    expect(c.err.join('')).toMatch(/bogus/);
    expect(await runServe(['--port', 'eighty'], c.deps)).toBe(2);
    expect(c.err.join('')).toMatch(/--port must be a number/);
  });

  it('hashes a key for the keys file', async () => {
    const c = capture();
    expect(await runServe(['--hash-key', 'my-secret-key-0123456'], c.deps)).toBe(0);
    expect(c.out.join('').trim()).toBe(hashKey('my-secret-key-0123456'));
  });

  it('refuses to start without an API key and says how to configure one', async () => {
    const c = capture();
    const saved = process.env['BAQL_API_KEYS'];
    delete process.env['BAQL_API_KEYS'];
    let closed = false;
    try {
      const code = await runServe(['--port', '0'], {
        ...c.deps,
        openSession: async () => ({ client: {} as never, close: async () => void (closed = true) }),
      });
      expect(code).toBe(1);
    } finally {
      if (saved !== undefined) process.env['BAQL_API_KEYS'] = saved;
    }
    expect(c.err.join('')).toMatch(/needs at least one API key.*BAQL_API_KEYS="name=secret/s);
    expect(closed).toBe(true);
  });

  it('serves the sandbox profile with keys from a file, then shuts down on the stop signal', async () => {
    const dir = tempDir('baql-serve-');
    const keys = join(dir, 'keys.json');
    writeFileSync(
      keys,
      JSON.stringify([{ name: 'ops', sha256: hashKey('ops-key-0123456789abcdef') }]),
    );
    writeFileSync(join(dir, 'config.json'), '{}');
    const env = { BAQL_API_KEYS_FILE: keys, BAQL_CONFIG: join(dir, 'config.json') };
    const saved = { ...process.env };
    Object.assign(process.env, env);
    let stop!: () => void;
    const stopSignal = new Promise<void>((resolve) => (stop = resolve));
    let address = '';
    const c = capture();
    try {
      const running = runServe(['--profile', 'sandbox', '--port', '0'], {
        ...c.deps,
        stopSignal,
        logger: false,
        onListening: (a) => (address = a),
      });
      const until = Date.now() + 60_000;
      while (address === '' && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${address}/livez`)).status).toBe(200);
      const res = await fetch(`${address}/v1/query:compile`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'ops-key-0123456789abcdef' },
        body: JSON.stringify({ query: 'type:login since 1d' }),
      });
      expect(res.status).toBe(200);
      stop();
      expect(await running).toBe(0);
    } finally {
      for (const k of Object.keys(env)) delete process.env[k];
      Object.assign(process.env, saved);
    }
    expect(c.err.join('')).toMatch(/listening on .*shutting down/s);
    await expect(fetch(`${address}/livez`)).rejects.toThrow();
  }, 90_000);
});

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { Dealer } from 'zeromq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runKernelCli, KERNEL_HELP } from '../src/cli.js';
import { installKernelSpec, kernelDir, launcherPath, userDataDir } from '../src/kernelspec.js';
import { createSigner } from '../src/protocol/signer.js';
import { decode, encode } from '../src/protocol/wire.js';
import { echoLanguage, freePortConnection, request } from './support.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baql-kernelspec-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) },
    out,
    err,
  };
};

describe('installKernelSpec', () => {
  it('writes kernel.json under <prefix>/share/jupyter/kernels/<name>', async () => {
    const result = await installKernelSpec({ prefix: dir, name: 'baql-test' });
    expect(E.isRight(result)).toBe(true);
    const target = join(dir, 'share', 'jupyter', 'kernels', 'baql-test');
    const spec = JSON.parse(await readFile(join(target, 'kernel.json'), 'utf8'));
    expect(spec).toEqual({
      argv: [process.execPath, launcherPath(), 'run', '{connection_file}'],
      display_name: 'BAQL',
      language: 'baql',
      interrupt_mode: 'message',
      env: {},
      metadata: { debugger: false },
    });
    expect(launcherPath()).toMatch(/apps[\\/]kernel[\\/]dist[\\/]main\.js$/);
    expect(await readFile(join(target, 'logo-svg.svg'), 'utf8')).toContain('<svg');
  });

  it('puts the profile into the env and honours the display name', async () => {
    const result = await installKernelSpec({
      prefix: dir,
      displayName: 'BAQL (prod)',
      profile: 'prod',
    });
    expect(E.isRight(result) && result.right.spec).toMatchObject({
      display_name: 'BAQL (prod)',
      env: { BAQL_PROFILE: 'prod' },
    });
  });

  it('resolves user and sys-prefix directories without Python', () => {
    const env = { HOME: '/home/ana' };
    if (process.platform === 'linux') {
      expect(userDataDir(env)).toBe('/home/ana/.local/share/jupyter');
      expect(userDataDir({ ...env, XDG_DATA_HOME: '/xdg' })).toBe('/xdg/jupyter');
    }
    expect(userDataDir({ ...env, JUPYTER_DATA_DIR: '/jd' })).toBe('/jd');
    expect(kernelDir({ user: true, env: { JUPYTER_DATA_DIR: '/jd' } })).toEqual(
      E.right('/jd/kernels/baql'),
    );
    expect(kernelDir({ sysPrefix: true, env: { VIRTUAL_ENV: '/venv' } })).toEqual(
      E.right('/venv/share/jupyter/kernels/baql'),
    );
  });

  it('rejects bad names and conflicting targets', async () => {
    expect(await installKernelSpec({ prefix: dir, name: '../evil' })).toMatchObject(
      E.left({ _tag: 'BadOptions' }),
    );
    expect(kernelDir({ user: true, prefix: dir })).toMatchObject(E.left({ _tag: 'BadOptions' }));
  });
});

describe('runKernelCli', () => {
  it('install --prefix writes the spec and says where', async () => {
    const { io, out } = capture();
    expect(await runKernelCli(['install', '--prefix', dir, '--name', 'nb'], { io })).toBe(0);
    expect(out.join('')).toContain(join(dir, 'share', 'jupyter', 'kernels', 'nb'));
    const spec = JSON.parse(
      await readFile(join(dir, 'share/jupyter/kernels/nb/kernel.json'), 'utf8'),
    );
    expect(spec.language).toBe('baql');
  });

  it('install --user follows JUPYTER_DATA_DIR; --print-spec writes nothing', async () => {
    const { io, out } = capture();
    const env = { JUPYTER_DATA_DIR: dir };
    expect(await runKernelCli(['install', '--user', '--print-spec'], { io, env })).toBe(0);
    expect(out.join('')).toContain('"interrupt_mode": "message"');
    await expect(readFile(join(dir, 'kernels/baql/kernel.json'))).rejects.toThrow();
    expect(await runKernelCli(['install', '--user'], { io, env })).toBe(0);
    expect(
      JSON.parse(await readFile(join(dir, 'kernels/baql/kernel.json'), 'utf8')).display_name,
    ).toBe('BAQL');
  });

  it('bad input gets one clear line and a non-zero exit, never a stack trace', async () => {
    const cases: [string[], RegExp][] = [
      [['install', '--bogus'], /Unknown option '--bogus'/],
      [['install', '--user', '--prefix', dir], /choose one of --user, --prefix and --sys-prefix/],
      [['run'], /give exactly one connection file/],
      [['frob'], /unknown command "frob"/],
    ];
    for (const [argv, message] of cases) {
      const { io, err } = capture();
      expect(await runKernelCli(argv, { io })).not.toBe(0);
      expect(err.join('')).toMatch(message);
      expect(err.join('')).not.toMatch(/\n\s+at /);
    }
  });

  it('run reports an unreadable or invalid connection file', async () => {
    const { io, err } = capture();
    const opened: string[] = [];
    const openLanguage = async () => {
      opened.push('x');
      throw new Error('must not open');
    };
    expect(
      await runKernelCli(['run', join(dir, 'missing.json')], { io, openLanguage, env: {} }),
    ).toBe(1);
    expect(err.join('')).toMatch(/cannot read the connection file/);
    expect(opened).toEqual([]);
  });

  it('run binds free ports for ports left at 0 and writes them back into the connection file', async () => {
    const file = join(dir, 'kernel-0.json');
    const key = 'k3y';
    await writeFile(file, JSON.stringify({ ...freePortConnection(key), kernel_name: 'baql' }));
    const { io } = capture();
    const running = runKernelCli(['run', file], {
      io,
      openLanguage: () => Promise.resolve(echoLanguage()),
      env: { BAQL_KERNEL_LOG_LEVEL: 'error' },
    });
    // The client's side: wait for the ports, then talk to the kernel on them.
    let written: Record<string, unknown> = {};
    for (let i = 0; i < 200 && !(Number(written['shell_port']) > 0); i += 1) {
      await new Promise((r) => setTimeout(r, 25));
      written = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    }
    expect(written).toMatchObject({ key, kernel_name: 'baql', signature_scheme: 'hmac-sha256' });
    for (const name of ['shell_port', 'iopub_port', 'stdin_port', 'control_port', 'hb_port'])
      expect(written[name]).toEqual(expect.any(Number));
    const control = new Dealer({ linger: 0, receiveTimeout: 10_000 });
    control.connect(`tcp://127.0.0.1:${String(written['control_port'])}`);
    try {
      const signer = createSigner('hmac-sha256', key);
      if (E.isLeft(signer)) throw new Error('signer');
      await control.send(
        encode(
          { ...request('shutdown_request', { restart: false }, ''), identities: [] },
          signer.right,
        ),
      );
      const reply = decode(await control.receive(), signer.right);
      expect(E.isRight(reply) && reply.right.content).toEqual({ status: 'ok', restart: false });
      expect(await running).toBe(0);
    } finally {
      control.close();
    }
  });

  it('the README documents exactly the --help text', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(KERNEL_HELP);
  });

  it('--help prints the usage', async () => {
    const { io, out } = capture();
    expect(await runKernelCli(['--help'], { io })).toBe(0);
    expect(await runKernelCli(['install', '--help'], { io })).toBe(0);
    expect(await runKernelCli(['run', '-h'], { io })).toBe(0);
    expect(out).toEqual([KERNEL_HELP, KERNEL_HELP, KERNEL_HELP]);
    expect(KERNEL_HELP).toContain('install [--user | --prefix P | --sys-prefix] [--name baql]');
  });
});

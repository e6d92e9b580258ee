import * as E from 'fp-ts/lib/Either.js';
import { Dealer, Request, Subscriber } from 'zeromq';
import { afterEach, describe, expect, it } from 'vitest';
import { PORT_NAMES } from '../src/connection.js';
import { createKernelHandler } from '../src/handler.js';
import { createSigner, type Signer } from '../src/protocol/signer.js';
import type { Message } from '../src/protocol/types.js';
import { decode, encode } from '../src/protocol/wire.js';
import { startKernelServer, type KernelServer } from '../src/zmq-server.js';
import { echoLanguage, freePortConnection, request } from './support.js';

const signerFor = (key: string): Signer => {
  const s = createSigner('hmac-sha256', key);
  if (E.isLeft(s)) throw new Error('signer');
  return s.right;
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const start = async (key = 'secret') => {
  const logs: string[] = [];
  const started = await startKernelServer({
    connection: freePortConnection(key),
    log: (level, text) => logs.push(`${level}: ${text}`),
    createHandler: (send, onShutdown) =>
      createKernelHandler({ language: echoLanguage(), send, onShutdown }),
  });
  if (E.isLeft(started)) throw new Error('server did not start');
  const server: KernelServer = started.right;
  cleanups.push(() => server.close());
  const info = server.connection;
  const shell = new Dealer({ routingId: 'tester', linger: 0 });
  const control = new Dealer({ linger: 0 });
  const iopub = new Subscriber({ linger: 0 });
  const hb = new Request({ linger: 0 });
  shell.connect(`tcp://127.0.0.1:${info.shell_port}`);
  control.connect(`tcp://127.0.0.1:${info.control_port}`);
  iopub.connect(`tcp://127.0.0.1:${info.iopub_port}`);
  iopub.subscribe();
  hb.connect(`tcp://127.0.0.1:${info.hb_port}`);
  cleanups.push(() => {
    for (const s of [shell, control, iopub, hb]) s.close();
  });
  const signer = signerFor(key);
  const sendOn = async (socket: Dealer, msg: Message, with_ = signer) => {
    await socket.send(encode({ ...msg, identities: [] }, with_));
  };
  const receive = async (socket: Dealer): Promise<Message> => {
    const frames = await socket.receive();
    const decoded = decode(frames, signer);
    if (E.isLeft(decoded)) throw new Error(`bad reply: ${decoded.left._tag}`);
    return decoded.right;
  };
  return { info, server, logs, shell, control, iopub, hb, signer, sendOn, receive };
};

describe('zeromq adapter', () => {
  it('answers on shell and control, signs replies, echoes heartbeats', async () => {
    const k = await start();
    await k.sendOn(k.shell, request('kernel_info_request', {}, ''));
    const reply = await k.receive(k.shell);
    expect(reply.header.msg_type).toBe('kernel_info_reply');
    await k.sendOn(k.control, request('kernel_info_request', {}, ''));
    expect((await k.receive(k.control)).header.msg_type).toBe('kernel_info_reply');
    await k.hb.send('ping');
    const [echo] = await k.hb.receive();
    expect(echo!.toString()).toBe('ping');
  });

  it('publishes status and results on iopub', async () => {
    const k = await start();
    // Wait until the subscription is live: heartbeats are cheap round trips.
    await k.hb.send('x');
    await k.hb.receive();
    await new Promise((r) => setTimeout(r, 100));
    await k.sendOn(k.shell, request('execute_request', { code: 'echo hi' }, ''));
    const reply = await k.receive(k.shell);
    expect(reply.content).toMatchObject({ status: 'ok', execution_count: 1 });
    const seen: string[] = [];
    while (!seen.includes('idle')) {
      const frames = await k.iopub.receive();
      const decoded = decode(frames, k.signer);
      if (E.isLeft(decoded)) throw new Error('bad iopub frame');
      const m = decoded.right;
      seen.push(
        m.header.msg_type === 'status' ? String(m.content['execution_state']) : m.header.msg_type,
      );
      expect(frames[0]!.toString()).toBe(`kernel.${k.server.handler.session}.${m.header.msg_type}`);
    }
    expect(seen).toEqual(['busy', 'execute_input', 'execute_result', 'idle']);
    // Written in the handler's order across channels: the result before the reply, idle after.
    const written = k.logs.filter((l) => l.startsWith('debug: ') && l.includes(' ← '));
    expect(written.slice(-5)).toEqual([
      'debug: iopub ← status',
      'debug: iopub ← execute_input',
      'debug: iopub ← execute_result',
      'debug: shell ← execute_reply',
      'debug: iopub ← status',
    ]);
  });

  it('logs each message at debug only when traceMessages is on', async () => {
    const logs: string[] = [];
    const started = await startKernelServer({
      connection: freePortConnection('secret'),
      traceMessages: false,
      log: (level, text) => logs.push(`${level}: ${text}`),
      createHandler: (send, onShutdown) =>
        createKernelHandler({ language: echoLanguage(), send, onShutdown }),
    });
    if (E.isLeft(started)) throw new Error('server did not start');
    const shell = new Dealer({ linger: 0 });
    cleanups.push(
      () => shell.close(),
      () => started.right.close(),
    );
    shell.connect(`tcp://127.0.0.1:${started.right.connection.shell_port}`);
    const signer = signerFor('secret');
    await shell.send(encode(request('kernel_info_request', {}, ''), signer));
    const frames = await shell.receive();
    expect(E.isRight(decode(frames, signer))).toBe(true);
    expect(logs.filter((l) => l.startsWith('debug:'))).toEqual([]);
  });

  it('sends queued IOPub messages before closing', async () => {
    const logs: string[] = [];
    let send: ((channel: 'iopub', message: Message) => void) | undefined;
    const started = await startKernelServer({
      connection: freePortConnection('secret'),
      log: (level, text) => logs.push(`${level}: ${text}`),
      createHandler: (s, onShutdown) => {
        send = s;
        return createKernelHandler({ language: echoLanguage(), send: s, onShutdown });
      },
    });
    if (E.isLeft(started)) throw new Error('server did not start');
    const message = request('status', { execution_state: 'idle' }, '');
    // Still in the socket's send queue when the server closes in the same turn.
    send?.('iopub', { ...message, identities: [Buffer.from('kernel.x.status')] });
    await started.right.close();
    expect(logs.filter((l) => l.includes(' ← '))).toContain('debug: iopub ← status');
    expect(logs.filter((l) => l.startsWith('error:'))).toEqual([]);
  });

  it('rejects and logs a bad signature, survives malformed frames, keeps serving', async () => {
    const k = await start();
    await k.sendOn(
      k.shell,
      request('execute_request', { code: 'echo forged' }, ''),
      signerFor('wrong'),
    );
    await k.shell.send(['<IDS|MSG>', 'sig', '{not json', '{}', '{}', '{}']);
    await k.shell.send(['no delimiter at all']);
    await k.shell.send(['<IDS|MSG>', '']);
    await k.control.send(Buffer.from([0xff, 0xfe, 0x00]));
    await k.sendOn(k.shell, request('kernel_info_request', {}, ''));
    const reply = await k.receive(k.shell);
    expect(reply.header.msg_type).toBe('kernel_info_reply');
    expect(
      k.logs.some((l) =>
        /warn: shell: invalid signature on execute_request; message dropped/.test(l),
      ),
    ).toBe(true);
    expect(k.logs.filter((l) => l.startsWith('warn: shell:')).length).toBeGreaterThanOrEqual(4);
    expect(k.server.handler.executionCount).toBe(0);
  });

  it('shuts down on shutdown_request and closes its sockets', async () => {
    const k = await start('');
    await k.sendOn(k.control, request('shutdown_request', { restart: false }, ''));
    const reply = await k.receive(k.control);
    expect(reply.content).toEqual({ status: 'ok', restart: false });
    expect(reply.header.version).toBe('5.4');
    await k.server.closed;
  });

  it('binds free ports for ports given as 0, each its own, and reports them', async () => {
    const k = await start();
    const ports = PORT_NAMES.map((name) => k.info[name]);
    expect(ports.every((p) => typeof p === 'number' && p > 0)).toBe(true);
    expect(new Set(ports).size).toBe(5);
    // A fixed port is kept as given: a second server on the first one's shell port cannot bind.
    const taken = await startKernelServer({
      connection: { ...freePortConnection('k'), shell_port: k.info.shell_port },
      log: () => undefined,
      createHandler: (send) => createKernelHandler({ language: echoLanguage(), send }),
    });
    expect(E.isLeft(taken) && taken.left._tag).toBe('BindFailed');
  });

  it('refuses an unknown signature scheme', async () => {
    const info = { ...freePortConnection('k'), signature_scheme: 'hmac-md77' };
    const started = await startKernelServer({
      connection: info,
      log: () => undefined,
      createHandler: (send) => createKernelHandler({ language: echoLanguage(), send }),
    });
    expect(started).toEqual(E.left({ _tag: 'UnsupportedScheme', scheme: 'hmac-md77' }));
  });
});

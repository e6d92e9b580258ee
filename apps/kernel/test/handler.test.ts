import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createKernelHandler, type OutChannel } from '../src/handler.js';
import type { Message } from '../src/protocol/types.js';
import { echoLanguage, request } from './support.js';

const setup = (whenShellSettled?: (fn: () => void) => void) => {
  const sent: { channel: OutChannel; message: Message }[] = [];
  const logs: string[] = [];
  const shutdowns: boolean[] = [];
  const language = echoLanguage();
  const handler = createKernelHandler({
    language,
    session: 'kernel-session',
    send: (channel, message) => sent.push({ channel, message }),
    log: (level, text) => logs.push(`${level}: ${text}`),
    onShutdown: (restart) => shutdowns.push(restart),
    ...(whenShellSettled === undefined ? {} : { whenShellSettled }),
  });
  const iopub = () => sent.filter((s) => s.channel === 'iopub').map((s) => s.message);
  const replies = (channel: OutChannel = 'shell') =>
    sent.filter((s) => s.channel === channel).map((s) => s.message);
  const types = () => iopub().map((m) => m.header.msg_type);
  return { sent, logs, shutdowns, language, handler, iopub, replies, types };
};

describe('protocol handler', () => {
  it('gives every message its own id, <session>_<pid>_<n> as jupyter_client does', async () => {
    const { handler, sent } = setup();
    handler.start();
    await handler.receive('shell', request('kernel_info_request', {}));
    await handler.receive('shell', request('execute_request', { code: 'echo hi' }));
    const ids = sent.map((s) => s.message.header.msg_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => id.startsWith(`kernel-session_${process.pid}_`))).toBe(true);
  });

  it('publishes starting once', () => {
    const { handler, iopub } = setup();
    handler.start();
    expect(iopub().map((m) => m.content)).toEqual([{ execution_state: 'starting' }]);
    expect(iopub()[0]!.parent_header).toEqual({});
  });

  it('answers kernel_info with language info and help links, between busy and idle', async () => {
    const { handler, replies, iopub } = setup();
    const req = request('kernel_info_request');
    await handler.receive('shell', req);
    const [replyMsg] = replies();
    expect(replyMsg!.header.msg_type).toBe('kernel_info_reply');
    expect(replyMsg!.header.version).toBe('5.4');
    expect(replyMsg!.header.session).toBe('kernel-session');
    expect(replyMsg!.parent_header).toEqual(req.header);
    expect(replyMsg!.identities).toEqual(req.identities);
    expect(replyMsg!.content).toMatchObject({
      status: 'ok',
      protocol_version: '5.4',
      implementation: 'echo',
      language_info: { name: 'echo', file_extension: '.echo' },
      help_links: [{ text: 'Echo', url: 'https://example.test/echo' }],
    });
    expect(iopub().map((m) => [m.content['execution_state'], m.parent_header])).toEqual([
      ['busy', req.header],
      ['idle', req.header],
    ]);
    expect(iopub()[0]!.identities[0]!.toString()).toBe('kernel.kernel-session.status');
  });

  it('executes: busy, execute_input, execute_result, reply, idle; counts executions', async () => {
    const { handler, replies, types, iopub, sent } = setup();
    await handler.receive('shell', request('execute_request', { code: 'echo hello' }));
    expect(types()).toEqual(['status', 'execute_input', 'execute_result', 'status']);
    // Across channels: the result goes out before the reply, idle after it.
    expect(sent.map((s) => `${s.channel}:${s.message.header.msg_type}`)).toEqual([
      'iopub:status',
      'iopub:execute_input',
      'iopub:execute_result',
      'shell:execute_reply',
      'iopub:status',
    ]);
    expect(iopub()[1]!.content).toEqual({ code: 'echo hello', execution_count: 1 });
    expect(iopub()[2]!.content).toEqual({
      execution_count: 1,
      data: { 'text/plain': 'hello' },
      metadata: {},
    });
    expect(replies()[0]!.content).toEqual({
      status: 'ok',
      execution_count: 1,
      user_expressions: {},
      payload: [],
    });
    await handler.receive('shell', request('execute_request', { code: 'echo again' }));
    expect(replies()[1]!.content['execution_count']).toBe(2);
    expect(handler.executionCount).toBe(2);
  });

  it('silent and store_history=false do not count; silent publishes nothing but status', async () => {
    const { handler, replies, types } = setup();
    await handler.receive('shell', request('execute_request', { code: 'echo x', silent: true }));
    expect(types()).toEqual(['status', 'status']);
    await handler.receive(
      'shell',
      request('execute_request', { code: 'echo y', store_history: false }),
    );
    expect(handler.executionCount).toBe(0);
    expect(replies().map((r) => r.content['status'])).toEqual(['ok', 'ok']);
  });

  it('publishes display, update_display and stream from a cell', async () => {
    const { handler, iopub } = setup();
    await handler.receive('shell', request('execute_request', { code: 'show progress' }));
    const shown = iopub().filter((m) => m.header.msg_type !== 'status');
    expect(shown.map((m) => m.header.msg_type)).toEqual([
      'execute_input',
      'display_data',
      'update_display_data',
      'stream',
    ]);
    expect(shown[1]!.content).toEqual({
      data: { 'text/plain': 'progress 1' },
      metadata: {},
      transient: { display_id: 'progress' },
    });
    expect(shown[2]!.content['transient']).toEqual({ display_id: 'progress' });
    expect(shown[3]!.content).toEqual({ name: 'stdout', text: 'progress\n' });
  });

  it('reports a failed cell as an error message and an error reply', async () => {
    const { handler, replies, iopub } = setup();
    await handler.receive('shell', request('execute_request', { code: 'fail nope' }));
    const error = iopub().find((m) => m.header.msg_type === 'error');
    expect(error!.content).toEqual({
      ename: 'EchoError',
      evalue: 'nope',
      traceback: ['line 1', 'nope'],
    });
    expect(replies()[0]!.content).toEqual({
      status: 'error',
      execution_count: 1,
      ename: 'EchoError',
      evalue: 'nope',
      traceback: ['line 1', 'nope'],
    });
  });

  it('turns a throwing language into an error reply, and keeps serving', async () => {
    const { handler, replies } = setup();
    await handler.receive('shell', request('execute_request', { code: 'throw' }));
    expect(replies()[0]!.content).toMatchObject({
      status: 'error',
      ename: 'KernelError',
      evalue: 'boom',
    });
    await handler.receive('shell', request('execute_request', { code: 'echo ok' }));
    expect(replies()[1]!.content['status']).toBe('ok');
  });

  it('aborts queued executions after an error when stop_on_error', async () => {
    const { handler, replies } = setup();
    const first = handler.receive('shell', request('execute_request', { code: 'fail x' }));
    const second = handler.receive('shell', request('execute_request', { code: 'echo y' }));
    await Promise.all([first, second]);
    expect(replies().map((r) => r.content['status'])).toEqual(['error', 'aborted']);
    await handler.receive('shell', request('execute_request', { code: 'echo z' }));
    expect(replies()[2]!.content['status']).toBe('ok');
  });

  it('after a stop_on_error failure, also aborts requests that arrive until the socket settles', async () => {
    const settled: (() => void)[] = [];
    const { handler, replies } = setup((fn) => settled.push(fn));
    // The failing cell is done before the next two arrive: as "Run all" sends, they were on the
    // socket already, so the adapter has not settled yet.
    await handler.receive('shell', request('execute_request', { code: 'fail x' }));
    expect(settled).toHaveLength(1);
    await handler.receive('shell', request('execute_request', { code: 'echo a' }));
    await handler.receive('shell', request('kernel_info_request'));
    await handler.receive('shell', request('execute_request', { code: 'echo b' }));
    for (const fn of settled.splice(0)) fn();
    await handler.receive('shell', request('execute_request', { code: 'echo c' }));
    expect(replies().map((r) => [r.header.msg_type, r.content['status']])).toEqual([
      ['execute_reply', 'error'],
      ['execute_reply', 'aborted'],
      ['kernel_info_reply', 'ok'],
      ['execute_reply', 'aborted'],
      ['execute_reply', 'ok'],
    ]);
    // A failure with stop_on_error false starts no abort.
    await handler.receive(
      'shell',
      request('execute_request', { code: 'fail y', stop_on_error: false }),
    );
    expect(settled).toHaveLength(0);
  });

  it('an empty cell does not take an execution count', async () => {
    const { handler, replies } = setup();
    await handler.receive('shell', request('execute_request', { code: 'echo 1' }));
    await handler.receive('shell', request('execute_request', { code: '  \n ' }));
    await handler.receive('shell', request('execute_request', { code: 'echo 2' }));
    expect(replies().map((r) => r.content['execution_count'])).toEqual([1, 1, 2]);
  });

  it('starts a request with nothing ahead of it at once; later ones wait their turn, in order', async () => {
    const { handler, sent, replies } = setup();
    // Not awaited: the first request's busy status is out before receive returns.
    const first = handler.receive('shell', request('execute_request', { code: 'wait' }));
    expect(sent.map((s) => s.message.header.msg_type)).toEqual(['status', 'execute_input']);
    const second = handler.receive('shell', request('execute_request', { code: 'echo 2' }));
    const third = handler.receive('shell', request('kernel_info_request'));
    await new Promise((r) => setTimeout(r, 10));
    // The second waits for the first, which waits for an interrupt.
    expect(replies()).toEqual([]);
    handler.interrupt();
    await Promise.all([first, second, third]);
    expect(replies().map((r) => r.header.msg_type)).toEqual([
      'execute_reply',
      'execute_reply',
      'kernel_info_reply',
    ]);
    expect(replies()[1]!.content).toMatchObject({ status: 'aborted' });
    // With the queue empty again, the next request starts at once too.
    const req4 = request('execute_request', { code: 'echo 4' });
    const fourth = handler.receive('shell', req4);
    expect(
      sent
        .filter((s) => s.message.parent_header === req4.header)
        .map((s) => s.message.header.msg_type),
    ).toEqual(['status', 'execute_input']);
    await fourth;
    expect(replies().at(-1)!.content).toMatchObject({ status: 'ok' });
  });

  it('does not abort when stop_on_error is false', async () => {
    const { handler, replies } = setup();
    const first = handler.receive(
      'shell',
      request('execute_request', { code: 'fail x', stop_on_error: false }),
    );
    const second = handler.receive('shell', request('execute_request', { code: 'echo y' }));
    await Promise.all([first, second]);
    expect(replies().map((r) => r.content['status'])).toEqual(['error', 'ok']);
  });

  it('rejects an execute_request without code with a clear error, not a throw', async () => {
    const { handler, replies } = setup();
    await handler.receive('shell', request('execute_request', { code: 42 }));
    expect(replies()[0]!.content).toMatchObject({ status: 'error', ename: 'BadRequest' });
  });

  it('interrupts a running cell with interrupt_request on control', async () => {
    const { handler, replies } = setup();
    const running = handler.receive('shell', request('execute_request', { code: 'wait' }));
    await new Promise((r) => setTimeout(r, 10));
    await handler.receive('control', request('interrupt_request'));
    await running;
    expect(replies('control')[0]!.header.msg_type).toBe('interrupt_reply');
    expect(replies('control')[0]!.content).toEqual({ status: 'ok' });
    expect(replies('shell')[0]!.content).toMatchObject({
      status: 'error',
      ename: 'KeyboardInterrupt',
    });
  });

  it('a cell after an interrupted one runs with a signal that is not aborted', async () => {
    const { handler, replies } = setup();
    const running = handler.receive('shell', request('execute_request', { code: 'wait' }));
    await new Promise((r) => setTimeout(r, 10));
    handler.interrupt();
    await running;
    // `wait` ends only on an abort event, which a signal aborted already never fires again.
    const next = handler.receive('shell', request('execute_request', { code: 'wait' }));
    await new Promise((r) => setTimeout(r, 20));
    expect(replies()).toHaveLength(1);
    handler.interrupt();
    await next;
    expect(replies().map((r) => r.content['ename'])).toEqual([
      'KeyboardInterrupt',
      'KeyboardInterrupt',
    ]);
  });

  it('interrupt() (SIGINT) aborts the running cell too', async () => {
    const { handler, replies } = setup();
    const running = handler.receive('shell', request('execute_request', { code: 'wait' }));
    await new Promise((r) => setTimeout(r, 10));
    handler.interrupt();
    await running;
    expect(replies()[0]!.content['ename']).toBe('KeyboardInterrupt');
  });

  it('answers kernel_info on control while a cell runs', async () => {
    const { handler, replies } = setup();
    const running = handler.receive('shell', request('execute_request', { code: 'wait' }));
    await new Promise((r) => setTimeout(r, 10));
    await handler.receive('control', request('kernel_info_request'));
    expect(replies('control')[0]!.header.msg_type).toBe('kernel_info_reply');
    expect(replies('shell')).toHaveLength(0);
    handler.interrupt();
    await running;
  });

  it('completes with cursor positions in code points', async () => {
    const { handler, replies } = setup();
    // '😀' is one code point but two UTF-16 units.
    await handler.receive('shell', request('complete_request', { code: '😀 ec', cursor_pos: 4 }));
    expect(replies()[0]!.content).toEqual({
      status: 'ok',
      matches: ['echo'],
      cursor_start: 2,
      cursor_end: 4,
      metadata: {
        _jupyter_types_experimental: [{ start: 2, end: 4, text: 'echo', type: 'keyword' }],
      },
    });
  });

  it('inspects and checks completeness', async () => {
    const { handler, replies } = setup();
    await handler.receive(
      'shell',
      request('inspect_request', { code: 'echo', cursor_pos: 2, detail_level: 0 }),
    );
    await handler.receive('shell', request('inspect_request', { code: 'zzz', cursor_pos: 1 }));
    await handler.receive('shell', request('is_complete_request', { code: 'echo (\\' }));
    await handler.receive('shell', request('is_complete_request', { code: 'echo x' }));
    expect(replies().map((r) => r.content)).toEqual([
      { status: 'ok', found: true, data: { 'text/plain': 'echo X: returns X' }, metadata: {} },
      { status: 'ok', found: false, data: {}, metadata: {} },
      { status: 'incomplete', indent: '  ' },
      { status: 'complete' },
    ]);
  });

  it('keeps history: tail, range, search, with output', async () => {
    const { handler, replies } = setup();
    for (const code of ['echo a', 'echo b', 'fail c', 'echo a']) {
      await handler.receive('shell', request('execute_request', { code, stop_on_error: false }));
    }
    const ask = async (content: Record<string, unknown>) => {
      await handler.receive('shell', request('history_request', content));
      return replies().at(-1)!.content['history'];
    };
    expect(await ask({ hist_access_type: 'tail', n: 2, output: false, raw: true })).toEqual([
      [1, 3, 'fail c'],
      [1, 4, 'echo a'],
    ]);
    expect(
      await ask({ hist_access_type: 'range', session: 0, start: 1, stop: 3, output: true }),
    ).toEqual([
      [1, 1, ['echo a', 'a']],
      [1, 2, ['echo b', 'b']],
    ]);
    expect(await ask({ hist_access_type: 'search', pattern: 'echo a*', unique: true })).toEqual([
      [1, 4, 'echo a'],
    ]);
    expect(await ask({ hist_access_type: 'search', pattern: 'echo ?' })).toHaveLength(3);
  });

  it('answers comm_info with the right reply type and no comms; closes unknown comms', async () => {
    const { handler, replies, iopub } = setup();
    await handler.receive('shell', request('comm_info_request', { target_name: 'jupyter.widget' }));
    expect(replies()[0]!.header.msg_type).toBe('comm_info_reply');
    expect(replies()[0]!.content).toEqual({ status: 'ok', comms: {} });
    await handler.receive(
      'shell',
      request('comm_open', { comm_id: 'c1', target_name: 'x', data: {} }),
    );
    expect(iopub().find((m) => m.header.msg_type === 'comm_close')!.content).toEqual({
      comm_id: 'c1',
      data: {},
    });
  });

  it('shuts down with restart: reply on control and iopub, language shut down, callback', async () => {
    const { handler, replies, iopub, shutdowns, language } = setup();
    await handler.receive('control', request('shutdown_request', { restart: true }));
    expect(replies('control')[0]!.content).toEqual({ status: 'ok', restart: true });
    expect(iopub().some((m) => m.header.msg_type === 'shutdown_reply')).toBe(true);
    expect(language.shutdowns).toBe(1);
    expect(shutdowns).toEqual([true]);
  });

  it('logs and ignores unknown message types', async () => {
    const { handler, replies, logs } = setup();
    await handler.receive('shell', request('frobnicate_request'));
    expect(replies()).toHaveLength(0);
    expect(logs.some((l) => l.includes('unknown message type frobnicate_request'))).toBe(true);
  });

  it('asks for input on stdin when allow_stdin, and never logs the value', async () => {
    const { handler, replies, logs, sent } = setup();
    const running = handler.receive(
      'shell',
      request('execute_request', { code: 'ask secret?', allow_stdin: true }),
    );
    await new Promise((r) => setTimeout(r, 10));
    const [ask] = replies('stdin');
    expect(ask!.header.msg_type).toBe('input_request');
    expect(ask!.content).toEqual({ prompt: 'secret?', password: true });
    expect(ask!.identities).toEqual([Buffer.from('client-1')]);
    const answer = { ...request('input_reply', { value: 's3cr3t' }), parent_header: ask!.header };
    await handler.receive('stdin', answer);
    await running;
    // jupyter_client's reply has no parent header: it answers the one pending request.
    const second = handler.receive(
      'shell',
      request('execute_request', { code: 'ask again?', allow_stdin: true }),
    );
    await new Promise((r) => setTimeout(r, 10));
    await handler.receive('stdin', request('input_reply', { value: 'orphan' }));
    await second;
    expect(
      sent
        .filter((s) => s.message.header.msg_type === 'execute_result')
        .map((s) => s.message.content['data']),
    ).toEqual([{ 'text/plain': 's3cr3t' }, { 'text/plain': 'orphan' }]);
    expect(replies('shell')[0]!.content['status']).toBe('ok');
    expect(logs.join('\n')).not.toContain('s3cr3t');
  });

  it('input is undefined without allow_stdin, or when interrupted; stray replies are ignored', async () => {
    const { handler, sent, logs } = setup();
    await handler.receive('shell', request('execute_request', { code: 'ask x' }));
    const results = () =>
      sent
        .filter((s) => s.message.header.msg_type === 'execute_result')
        .map((s) => s.message.content['data']);
    expect(results()).toEqual([{ 'text/plain': '(no input)' }]);
    const running = handler.receive(
      'shell',
      request('execute_request', { code: 'ask y', allow_stdin: true }),
    );
    await new Promise((r) => setTimeout(r, 10));
    handler.interrupt();
    await running;
    expect(results()).toEqual([{ 'text/plain': '(no input)' }, { 'text/plain': '(no input)' }]);
    await handler.receive('stdin', request('input_reply', { value: 'late' }));
    expect(logs.some((l) => l.includes('stdin: unexpected input_reply'))).toBe(true);
  });

  it('any content on any request type is answered without a throw, and ends idle (property)', async () => {
    const types = [
      'execute_request',
      'kernel_info_request',
      'complete_request',
      'inspect_request',
      'is_complete_request',
      'history_request',
      'comm_info_request',
      'comm_open',
      'interrupt_request',
      'unknown_request',
    ];
    const keys = [
      'code',
      'cursor_pos',
      'detail_level',
      'silent',
      'store_history',
      'stop_on_error',
      'hist_access_type',
      'n',
      'start',
      'stop',
      'pattern',
      'unique',
      'output',
      'user_expressions',
      'target_name',
      'comm_id',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...types),
        fc.dictionary(fc.constantFrom(...keys), fc.jsonValue()),
        fc.constantFrom<'shell' | 'control'>('shell', 'control'),
        async (type, content, channel) => {
          fc.pre(
            !(typeof content['code'] === 'string' && content['code'].trim().startsWith('wait')),
          );
          const { handler, iopub, logs } = setup();
          await handler.receive(channel, request(type, content));
          const states = iopub()
            .filter((m) => m.header.msg_type === 'status')
            .map((m) => m.content['execution_state']);
          expect(states).toEqual(['busy', 'idle']);
          expect(logs.filter((l) => l.startsWith('error:'))).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });
});

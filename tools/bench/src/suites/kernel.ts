/**
 * Bench of the Jupyter kernel (issue 8): the `execute_request` → `execute_reply` round trip of a
 * small query through a real kernel process over ZeroMQ (signed messages, rendering of the text,
 * HTML and JSON result), beside the same query through `@baql/core` directly,
 * in this process, on a sandbox with the same data (target ≤ 1.3×). A second line reports the
 * floor under that ratio: the same round trip to a process that only verifies the request, runs
 * the query and answers (`kernel-floor-server.ts`).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSession } from '@baql/runtime';
import { Dealer } from 'zeromq';
import type { BenchLine } from '../measure.js';

const LAUNCHER = fileURLToPath(new URL('../../../../apps/kernel/dist/main.js', import.meta.url));
const FLOOR = fileURLToPath(new URL('../kernel-floor-server.js', import.meta.url));
const SANDBOX = { events: 3000, days: 14, seed: 7 };
const QUERY = 'type:login since 7d | limit 20';
const RUNS = 40;
const WARMUP = 60;
const KEY = randomUUID();

const PORTS = ['shell_port', 'iopub_port', 'stdin_port', 'control_port', 'hb_port'] as const;

/**
 * Waits until the kernel has written the ports it bound into its connection file (ports given as
 * 0: the kernel picks free ones, so no port is probed here and then taken by someone else before
 * the kernel binds it). Rejects if the kernel exits first or takes over 30 s.
 */
const boundPorts = async (
  file: string,
  kernel: ChildProcess,
): Promise<Record<(typeof PORTS)[number], number>> => {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const written = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      if (PORTS.every((name) => typeof written[name] === 'number' && written[name] > 0))
        return written as Record<(typeof PORTS)[number], number>;
    } catch (_error) {
      // not written yet (the kernel replaces the file whole, so a read is never half a file)
    }
    if (kernel.exitCode !== null) throw new Error(`the kernel exited (${kernel.exitCode})`);
    if (Date.now() > deadline) throw new Error('the kernel did not bind its ports in 30 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

/** Frames of a signed request (`[<IDS|MSG>, hmac, header, parent, metadata, content]`). */
const frames = (msgType: string, content: object): { id: string; frames: Buffer[] } => {
  const id = randomUUID();
  const header = {
    msg_id: id,
    session: 'bench',
    username: 'bench',
    date: new Date().toISOString(),
    msg_type: msgType,
    version: '5.4',
  };
  const parts = [header, {}, {}, content].map((p) => Buffer.from(JSON.stringify(p)));
  const hmac = createHmac('sha256', KEY);
  for (const p of parts) hmac.update(p);
  return { id, frames: [Buffer.from('<IDS|MSG>'), Buffer.from(hmac.digest('hex')), ...parts] };
};

/** Sends a request on `shell` and resolves to the reply's content (other messages skipped). */
const roundTrip = async (shell: Dealer, msgType: string, content: object) => {
  const request = frames(msgType, content);
  await shell.send(request.frames);
  for (;;) {
    const reply = await shell.receive();
    const at = reply.findIndex((f) => f.toString() === '<IDS|MSG>');
    const parent = JSON.parse(reply[at + 3]?.toString() ?? '{}') as { msg_id?: string };
    if (parent.msg_id === request.id)
      return JSON.parse(reply[at + 5]?.toString() ?? '{}') as Record<string, unknown>;
  }
};

const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/**
 * Medians of `RUNS` interleaved rounds of `remote` and `direct` (so both see the same machine
 * load), after `WARMUP` rounds that bring both sides to a steady state: the remote side is a
 * fresh process, while this process has usually run queries already, so a handful of rounds
 * would compare its cold client code with a hot one here.
 */
const interleaved = async (remote: () => Promise<void>, direct: () => Promise<void>) => {
  for (let i = 0; i < WARMUP; i += 1) {
    await remote();
    await direct();
  }
  const remoteTimes: number[] = [];
  const directTimes: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    let start = performance.now();
    await remote();
    remoteTimes.push(performance.now() - start);
    start = performance.now();
    await direct();
    directTimes.push(performance.now() - start);
  }
  return { value: median(remoteTimes), baseline: median(directTimes) };
};

/** The same query against the floor server (see `kernel-floor-server.ts`), beside `direct`. */
const floorRoundTrip = async (
  env: NodeJS.ProcessEnv,
  direct: () => Promise<void>,
): Promise<{ value: number; baseline: number }> => {
  const floor = fork(FLOOR, {
    env: { ...env, BAQL_BENCH_KEY: KEY, BAQL_BENCH_SANDBOX: JSON.stringify(SANDBOX) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const shell = new Dealer({ linger: 0, receiveTimeout: 30_000 });
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      floor.once('message', (m) => resolve((m as { endpoint: string }).endpoint));
      floor.once('exit', (code) => reject(new Error(`the floor server exited (${code})`)));
    });
    shell.connect(endpoint);
    return await interleaved(async () => {
      const reply = await roundTrip(shell, 'execute_request', { code: QUERY });
      if (reply['status'] !== 'ok') throw new Error('the floor server did not answer ok');
    }, direct);
  } finally {
    shell.close();
    floor.disconnect();
  }
};

export default async function kernelBench(): Promise<BenchLine[]> {
  const dir = mkdtempSync(join(tmpdir(), 'baql-bench-kernel-'));
  const connection = join(dir, 'kernel.json');
  writeFileSync(
    connection,
    JSON.stringify({
      transport: 'tcp',
      ip: '127.0.0.1',
      signature_scheme: 'hmac-sha256',
      key: KEY,
      ...Object.fromEntries(PORTS.map((name) => [name, 0])),
    }),
  );
  const env = {
    ...process.env,
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, 'xdg'),
    BAQL_PROFILE: 'sandbox',
    BAQL_KERNEL_SANDBOX: JSON.stringify(SANDBOX),
    BAQL_KERNEL_LOG_LEVEL: 'error',
  };
  const kernel = spawn(process.execPath, [LAUNCHER, 'run', connection], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const shell = new Dealer({ linger: 0, receiveTimeout: 30_000 });
  const session = await openSession({ profile: 'sandbox', sandbox: SANDBOX, env });
  try {
    const ports = await boundPorts(connection, kernel);
    shell.connect(`tcp://127.0.0.1:${ports.shell_port}`);
    await roundTrip(shell, 'kernel_info_request', {});
    const execute = async () => {
      const reply = await roundTrip(shell, 'execute_request', {
        code: QUERY,
        silent: false,
        store_history: true,
        user_expressions: {},
        allow_stdin: false,
        stop_on_error: true,
      });
      if (reply['status'] !== 'ok')
        throw new Error(`kernel: ${String(reply['ename'])}: ${String(reply['evalue'])}`);
    };
    const direct = async () => {
      const result = await session.client.query(QUERY);
      if (result.rows.length === 0) throw new Error('the query found no rows');
    };
    const { value, baseline } = await interleaved(execute, direct);
    await roundTrip(shell, 'shutdown_request', { restart: false }).catch(() => undefined);
    // The floor is measured once the kernel has gone, so each figure is of two processes only.
    if (kernel.exitCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5_000);
        kernel.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const floor = await floorRoundTrip(env, direct);
    return [
      {
        name: `kernel execute_request round trip (${QUERY}) vs @baql/core query`,
        value,
        baseline,
        unit: 'ms',
        target: '≤ 1.3×',
        met: value / baseline <= 1.3,
      },
      {
        name: 'floor: a process that only verifies, runs the same query and answers one signed reply (no IOPub, no tables) vs @baql/core query',
        value: floor.value,
        baseline: floor.baseline,
        unit: 'ms',
        target: 'reported (what any kernel process adds)',
        met: true,
      },
    ];
  } finally {
    shell.close();
    await session.close();
    if (kernel.exitCode === null) kernel.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * End to end with a real Jupyter client (Debian's python3-jupyter-client and python3-nbclient in
 * the system Python): the kernelspec installed into a temp prefix, the example notebook executed
 * with nbclient against the embedded sandbox, and the blocking client's completion, is_complete,
 * inspect, interrupt, forged and malformed messages, and restart.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openSession, type Session } from '@baql/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKernelCli } from '../src/cli.js';
import { writeTenantProfile } from './support.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const here = dirname(fileURLToPath(import.meta.url));
const appDir = resolve(here, '..');
const repoRoot = resolve(appDir, '..', '..');
const hasJupyter =
  existsSync(PYTHON) &&
  spawnSync(PYTHON, ['-c', 'import jupyter_client, nbclient, nbformat'], { stdio: 'ignore' })
    .status === 0;

/** Newest modification time under a directory. */
const newest = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
    const path = join(dir, entry.name);
    return Math.max(max, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }, 0);

/** Builds the launcher (and what it depends on) unless dist is up to date. */
const ensureBuilt = async () => {
  const launcher = join(appDir, 'dist', 'main.js');
  const buildInfo = join(appDir, 'dist', 'tsconfig.build.tsbuildinfo');
  const fresh =
    existsSync(launcher) &&
    existsSync(buildInfo) &&
    statSync(buildInfo).mtimeMs >= newest(join(appDir, 'src'));
  if (fresh) return;
  await run('npx', ['tsc', '-b', 'apps/kernel/tsconfig.build.json'], {
    cwd: repoRoot,
    timeout: 240_000,
  });
};

let tmp: string;
let upstream: Session | undefined;
let env: NodeJS.ProcessEnv;
const KERNEL = 'baql-e2e';

const python = async (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
  const { stdout } = await run(PYTHON, args, {
    env: { ...env, ...extraEnv },
    cwd: tmp,
    timeout: 240_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
};

describe.skipIf(!hasJupyter)('with a real Jupyter client', () => {
  beforeAll(async () => {
    await ensureBuilt();
    tmp = await mkdtemp(join(tmpdir(), 'baql-kernel-e2e-'));
    const io = { stdout: () => undefined, stderr: (t: string) => void process.stderr.write(t) };
    expect(await runKernelCli(['install', '--prefix', tmp, '--name', KERNEL], { io })).toBe(0);
    env = {
      ...process.env,
      JUPYTER_PATH: join(tmp, 'share', 'jupyter'),
      JUPYTER_RUNTIME_DIR: join(tmp, 'runtime'),
      JUPYTER_DATA_DIR: join(tmp, 'data'),
      JUPYTER_CONFIG_DIR: join(tmp, 'config'),
      BAQL_PROFILE: 'sandbox',
      // No user or project config: the default profile is the embedded sandbox.
      XDG_CONFIG_HOME: join(tmp, 'xdg'),
      BAQL_KERNEL_SANDBOX: JSON.stringify({ events: 3000, days: 14, seed: 7 }),
      BAQL_KERNEL_LOG: join(tmp, 'kernel.log'),
      PYTHONDONTWRITEBYTECODE: '1',
    };
    // A configured "tenant" profile (a sandbox of this process) whose secret is not configured:
    // the kernel must ask for it on stdin.
    upstream = await openSession({
      profile: 'sandbox',
      sandbox: { events: 3000, days: 14, seed: 7 },
      env,
    });
    await writeTenantProfile(join(tmp, 'xdg'), upstream.info, 'BAQL_E2E_TENANT_SECRET');
  }, 300_000);

  afterAll(async () => {
    await upstream?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('jupyter kernelspec list shows the installed kernel', async () => {
    const listed = JSON.parse(
      await python([
        '-c',
        'from jupyter_client.kernelspecapp import KernelSpecApp; KernelSpecApp.launch_instance()',
        'list',
        '--json',
      ]),
    ) as { kernelspecs: Record<string, { spec: Record<string, unknown> }> };
    expect(listed.kernelspecs[KERNEL]?.spec).toMatchObject({
      language: 'baql',
      display_name: 'BAQL',
      interrupt_mode: 'message',
    });
  });

  it('executes the example notebook with nbclient', async () => {
    const notebook = join(appDir, 'examples', 'baql-tour.ipynb');
    // Progress shown from the first progress event, so every query cell has its display,
    // whatever the machine's speed (by default only queries running over 150 ms get one).
    const executed = JSON.parse(
      await python([join(here, 'e2e', 'run_notebook.py'), notebook, KERNEL], {
        BAQL_KERNEL_PROGRESS_DELAY_MS: '0',
      }),
    ) as {
      cells: {
        cell_type: string;
        source: string;
        outputs?: {
          output_type: string;
          data?: Record<string, unknown>;
          ename?: string;
          evalue?: string;
          traceback?: string[];
          text?: string;
        }[];
        execution_count?: number | null;
      }[];
    };
    const code = executed.cells.filter((c) => c.cell_type === 'code');
    expect(code.length).toBeGreaterThanOrEqual(8);
    const cell = (start: string) => {
      const found = code.find((c) => c.source.startsWith(start));
      if (found === undefined) throw new Error(`no cell starting with ${start}`);
      return found;
    };
    const result = (start: string) => {
      const outputs = cell(start).outputs ?? [];
      const errors = outputs.filter((o) => o.output_type === 'error');
      if (errors.length > 0)
        throw new Error(`${start}: ${errors.map((e) => `${e.ename}: ${e.evalue}`).join('; ')}`);
      const r = outputs.find((o) => o.output_type === 'execute_result');
      if (r?.data === undefined) throw new Error(`${start}: no execute_result`);
      return r.data;
    };
    // Execution counts follow the code cells.
    expect(code.map((c) => c.execution_count)).toEqual(code.map((_, i) => i + 1));

    expect(String(result('%help')['text/plain'])).toContain('%values field');
    expect(String(result('%fields')['text/html'])).toContain('<th>field</th>');
    expect(String(result('%values segment')['text/plain'])).toMatch(/retail[\s\S]*business/);
    expect(String(result('%param channel')['text/plain'])).toBe('$channel = ONLINE');

    const rows = result('type:login channel:$channel');
    const json = rows['application/json'] as {
      columns: string[];
      rows: Record<string, string>[];
      summary: { rows: number };
    };
    expect(json.rows.length).toBeGreaterThan(0);
    expect(json.rows.length).toBeLessThanOrEqual(5);
    expect(
      json.rows.every((r) =>
        Object.entries(r).some(([k, v]) => k.toLowerCase() === 'channel' && v === 'ONLINE'),
      ),
    ).toBe(true);
    expect(String(rows['text/html'])).toMatch(/<table>[\s\S]*<\/table>[\s\S]*rows? &middot;/);
    expect(String(rows['text/plain'])).toContain('ONLINE');
    // Live progress: a display, then updates of the same display id, ending with the summary.
    const progress = (cell('type:login channel:$channel').outputs ?? []).filter(
      (o) => o.output_type === 'display_data',
    );
    expect(progress).toHaveLength(1);
    expect(String(progress[0]!.data!['text/plain'])).toMatch(/^done · \d+ rows?/);

    const chart = (start: string) =>
      (cell(start).outputs ?? []).find(
        (o) =>
          o.output_type === 'display_data' &&
          o.data?.['application/vnd.vegalite.v5+json'] !== undefined,
      )?.data?.['application/vnd.vegalite.v5+json'];
    const bar = result('%as logins_by_channel');
    expect(chart('%as logins_by_channel')).toMatchObject({
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      mark: { type: 'bar' },
    });
    expect(chart('(type:login OR type:logout)')).toMatchObject({
      mark: { type: 'line' },
      encoding: { x: { type: 'temporal' } },
    });
    expect(result('(type:login OR type:logout)')['application/json']).toBeDefined();

    expect(String(result('%explain')['text/plain']).length).toBeGreaterThan(20);
    expect(result('$logins_by_channel')['application/json']).toEqual(bar['application/json']);
    const saved = result('%run logins-by-segment') as Record<string, { rows?: unknown[] }>;
    expect(saved['application/json']?.rows?.length).toBeGreaterThan(0);

    // Wide results: 20 columns around a `…` column by default, every column after %display.
    const wide = result('type:transfer since 7d | limit 3');
    const wideColumns = (wide['application/json'] as { columns: string[] }).columns;
    expect(wideColumns.length).toBeGreaterThan(20);
    const headerOf = (bundle: Record<string, unknown>) =>
      String(bundle['text/plain']).split('\n')[0]?.split(/ +/);
    expect(headerOf(wide)).toEqual([...wideColumns.slice(0, 10), '…', ...wideColumns.slice(-10)]);
    expect(String(wide['text/plain'])).toContain(
      `… ${wideColumns.length - 20} more columns not shown`,
    );
    const all = result('%display columns=all rows=2');
    expect(headerOf(all)).toEqual((all['application/json'] as { columns: string[] }).columns);
    expect(String(all['text/plain'])).toContain('… 1 more row');
    const shownSettings = (cell('%display columns=all rows=2').outputs ?? [])
      .filter((o) => o.output_type === 'display_data')
      .map((o) => String(o.data?.['text/plain']));
    expect(shownSettings).toContainEqual(
      expect.stringMatching(/^rows shown: 2 · columns shown: all/),
    );

    const failed = (cell('type=login').outputs ?? []).find((o) => o.output_type === 'error');
    expect(failed?.ename).toBe('QuerySyntaxError');
    expect(failed?.traceback?.join('\n')).toMatch(/\^/);
    expect(failed?.traceback?.join('\n')).toMatch(/hint/);
  }, 300_000);

  it('completion, is_complete, inspect, interrupt, forged and malformed messages, restart', async () => {
    const out = JSON.parse(
      await python([join(here, 'e2e', 'client_checks.py'), KERNEL], {
        BAQL_SANDBOX_FAULTS: JSON.stringify({ latencyMs: 3000 }),
      }),
    ) as Record<string, Record<string, unknown>>;
    expect(out['spec_interrupt_mode']).toBe('message');
    expect(out['kernel_info']).toMatchObject({
      status: 'ok',
      protocol_version: '5.4',
      language_info: { name: 'baql', file_extension: '.baql' },
    });
    expect((out['kernel_info']!['help_links'] as unknown[]).length).toBeGreaterThan(0);
    expect((out['first']!['reply'] as Record<string, unknown>)['status']).toBe('ok');
    const iopub = (
      out['first']!['iopub'] as { msg_type: string; content: Record<string, unknown> }[]
    ).map((m) => m.msg_type);
    expect(iopub[0]).toBe('status');
    expect(iopub).toContain('execute_input');
    expect(iopub).toContain('execute_result');
    // A slow query (3 s a response) with the default delay: the live display appears while it
    // runs, is updated in place under the same display id, ends with the summary, and all of
    // it comes before the result.
    const first = out['first']!['iopub'] as {
      msg_type: string;
      content: { data?: Record<string, unknown>; transient?: { display_id?: string } };
    }[];
    // (The bar chart is a display_data too, without a display id.)
    const shown = first.filter(
      (m) => m.msg_type === 'display_data' && m.content.transient?.display_id !== undefined,
    );
    const updates = first.filter((m) => m.msg_type === 'update_display_data');
    expect(shown).toHaveLength(1);
    expect(String(shown[0]!.content.data?.['text/plain'])).toMatch(/^running…/);
    const displayId = shown[0]!.content.transient?.display_id;
    expect(displayId).toMatch(/^baql-progress-/);
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates.every((u) => u.content.transient?.display_id === displayId)).toBe(true);
    expect(String(updates.at(-1)!.content.data?.['text/plain'])).toMatch(/^done · \d+ rows?/);
    expect(first.indexOf(shown[0]!)).toBeLessThan(first.indexOf(updates[0]!));
    expect(iopub.lastIndexOf('update_display_data')).toBeLessThan(iopub.indexOf('execute_result'));
    expect(iopub.at(-1)).toBe('status');

    expect(out['complete_field']).toMatchObject({ status: 'ok', cursor_end: 14 });
    expect(out['complete_field']!['matches']).toContain('channel:');
    expect(out['complete_event']!['matches']).toContain('login');
    expect(out['complete_event']!['cursor_start']).toBe(5);
    expect(out['complete_magic']).toMatchObject({
      matches: ['%values'],
      cursor_start: 0,
      cursor_end: 4,
    });

    expect(out['is_complete_paren']).toMatchObject({ status: 'incomplete' });
    expect(typeof out['is_complete_paren']!['indent']).toBe('string');
    expect(out['is_complete_quote']).toMatchObject({ status: 'incomplete' });
    expect(out['is_complete_ok']).toEqual({ status: 'complete' });

    expect(out['inspect_field']).toMatchObject({ status: 'ok', found: true });
    const fieldDoc = (out['inspect_field']!['data'] as Record<string, string>)['text/markdown'];
    expect(fieldDoc).toContain('**channel**');
    expect(fieldDoc).toContain('Compiled request');
    expect(fieldDoc).toContain('eventIds');
    const eventDoc = (out['inspect_event']!['data'] as Record<string, string>)['text/markdown'];
    expect(eventDoc).toContain('**login** (user event)');

    expect((out['history']!['history'] as unknown[][]).map((h) => h[2])).toContain(
      'type:login | count by channel',
    );
    expect(out['comm_info']).toEqual({ status: 'ok', comms: {} });

    expect(out['forged_replies']).toEqual([]);
    expect(out['alive_after_garbage']).toBe(true);
    expect(out['kernel_info_after_garbage']).toBe('ok');
    const log = await readFile(join(tmp, 'kernel.log'), 'utf8');
    expect(log).toMatch(/WARN\] shell: invalid signature on execute_request; message dropped/);
    expect(log).toMatch(/not a JSON object|without the <IDS\|MSG> delimiter/);

    const interrupted = out['interrupt'] as { reply: Record<string, unknown>; seconds: number };
    expect(interrupted.reply).toMatchObject({ status: 'error', ename: 'KeyboardInterrupt' });
    expect(interrupted.seconds).toBeLessThan(2.5);
    expect(out['after_interrupt']).toBe('ok');
    const sigint = out['sigint'] as { reply: Record<string, unknown>; seconds: number };
    expect(sigint.reply).toMatchObject({ status: 'error', ename: 'KeyboardInterrupt' });
    expect(sigint.seconds).toBeLessThan(2.5);
    expect(out['alive_after_sigint']).toBe(true);
    expect(out['run_all']).toEqual(['error', 'aborted', 'aborted']);
    expect(out['after_run_all']).toBe('ok');
    expect(out['comment_only']).toEqual({ reply: 'ok', outputs: [] });
    expect(out['after_restart']).toMatchObject({ status: 'ok', execution_count: 1 });
    expect(out['stdin']).toEqual({
      prompts: [{ prompt: 'client secret for profile tenant: ', password: true }],
      reply: expect.objectContaining({ status: 'ok' }),
      after: 'ok',
    });
    expect(await readFile(join(tmp, 'kernel.log'), 'utf8')).not.toContain('sandbox-secret');
  }, 300_000);
});

/**
 * Test support: a tiny echo language for protocol tests (the handler is language-agnostic; the
 * BAQL language is tested against the sandbox elsewhere), request builders and a free-port connection file.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConnectionInfo } from '../src/connection.js';
import type { CellContext, KernelLanguage } from '../src/language.js';
import type { JsonObject, Message } from '../src/protocol/types.js';

/** A request message as a client would send it. */
export function request(msgType: string, content: JsonObject = {}, identity = 'client-1'): Message {
  return {
    identities: [Buffer.from(identity)],
    header: {
      msg_id: randomUUID(),
      session: 'client-session',
      username: 'tester',
      date: new Date().toISOString(),
      msg_type: msgType,
      version: '5.4',
    },
    parent_header: {},
    metadata: {},
    content,
    buffers: [],
  };
}

/**
 * A language whose cells are commands: `echo X` returns X, `fail X` fails with X, `wait` waits
 * for an interrupt, `ask P` asks for input with prompt P, `show X` displays and updates X, `throw` throws.
 */
export function echoLanguage(): KernelLanguage & { shutdowns: number } {
  const language = {
    shutdowns: 0,
    info: {
      implementation: 'echo',
      implementationVersion: '1.0.0',
      banner: 'echo kernel',
      languageInfo: { name: 'echo', version: '1', file_extension: '.echo', mimetype: 'text/plain' },
      helpLinks: [{ text: 'Echo', url: 'https://example.test/echo' }],
    },
    execute: async (code: string, context: CellContext) => {
      const [command = '', ...rest] = code.trim().split(' ');
      const arg = rest.join(' ');
      switch (command) {
        case 'echo':
          return { _tag: 'Ok' as const, result: { 'text/plain': arg } };
        case 'fail':
          return {
            _tag: 'Error' as const,
            ename: 'EchoError',
            evalue: arg,
            traceback: [`line 1`, arg],
          };
        case 'show':
          context.display({ 'text/plain': `${arg} 1` }, 'progress');
          context.updateDisplay({ 'text/plain': `${arg} 2` }, 'progress');
          context.stream('stdout', `${arg}\n`);
          return { _tag: 'Ok' as const };
        case 'wait':
          return await new Promise<{
            _tag: 'Error';
            ename: string;
            evalue: string;
            traceback: string[];
          }>((resolve) => {
            context.signal.addEventListener('abort', () =>
              resolve({
                _tag: 'Error',
                ename: 'KeyboardInterrupt',
                evalue: 'interrupted',
                traceback: [],
              }),
            );
          });
        case 'ask': {
          const value = await context.input(arg, { password: true });
          return { _tag: 'Ok' as const, result: { 'text/plain': value ?? '(no input)' } };
        }
        case 'throw':
          throw new Error('boom');
        default:
          return { _tag: 'Ok' as const };
      }
    },
    complete: (code: string, cursor: number) => {
      const start = code.lastIndexOf(' ', cursor - 1) + 1;
      const prefix = code.slice(start, cursor);
      const words = ['echo', 'fail', 'show', 'wait', 'éclair'];
      const matches = words.filter((w) => w.startsWith(prefix));
      return {
        matches,
        cursorStart: start,
        cursorEnd: cursor,
        types: matches.map((m) => ({ text: m, type: 'keyword' })),
      };
    },
    inspect: (code: string) =>
      code.includes('echo')
        ? { found: true, data: { 'text/plain': 'echo X: returns X' } }
        : { found: false, data: {} },
    isComplete: (code: string) =>
      code.endsWith('\\')
        ? { status: 'incomplete' as const, indent: '  ' }
        : { status: 'complete' as const },
    shutdown: async () => {
      language.shutdowns += 1;
    },
  };
  return language;
}

/**
 * A tcp connection file's content with every port 0: the kernel binds free ports and reports them
 * (no probe-then-bind race).
 */
export const freePortConnection = (key: string): ConnectionInfo => ({
  transport: 'tcp',
  ip: '127.0.0.1',
  shell_port: 0,
  iopub_port: 0,
  stdin_port: 0,
  control_port: 0,
  hb_port: 0,
  signature_scheme: 'hmac-sha256',
  key,
});

/**
 * Writes `<xdg>/baql/config.json` with one profile, `tenant`, pointing at a running sandbox whose
 * client secret is read from `secretEnv` (left unset by the tests: the kernel must ask for it).
 */
export async function writeTenantProfile(
  xdg: string,
  upstream: { readonly baseUrl: string; readonly clientId: string; readonly institutionId: string },
  secretEnv: string,
): Promise<void> {
  await mkdir(join(xdg, 'baql'), { recursive: true });
  await writeFile(
    join(xdg, 'baql', 'config.json'),
    JSON.stringify({
      profiles: {
        tenant: {
          baseUrl: upstream.baseUrl,
          clientId: upstream.clientId,
          institutionId: upstream.institutionId,
          clientSecretEnv: secretEnv,
        },
      },
    }),
  );
}

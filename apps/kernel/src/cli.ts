/**
 * `baql kernel …`: `install` writes the kernelspec, `run` serves a connection file. The CLI app
 * delegates `baql kernel` here (dynamic import of `@baql/kernel`); `dist/main.js` is the launcher
 * that `kernel.json` runs.
 *
 * @since 0.1.0
 * @module
 */
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import {
  describeConnectionError,
  hasFreePorts,
  readConnectionFile,
  writeBoundPorts,
} from './connection.js';
import { createKernelHandler, type LogLevel } from './handler.js';
import { describeInstallError, installKernelSpec } from './kernelspec.js';
import type { KernelLanguage } from './language.js';
import { describeServerError, startKernelServer } from './zmq-server.js';

/** The `--help` text (kept identical to the README). @since 0.1.0 */
export const KERNEL_HELP = `Usage: baql kernel <command> [options]

Commands:
  install [--user | --prefix P | --sys-prefix] [--name baql]
          [--display-name BAQL] [--profile NAME] [--print-spec]
      Write the BAQL kernelspec (kernel.json) for Jupyter. No Python needed.
      --user          into the per-user Jupyter data directory (default)
      --prefix P      into P/share/jupyter/kernels/<name>
      --sys-prefix    into the active Python environment (VIRTUAL_ENV, CONDA_PREFIX)
      --name N        the kernel name (default baql)
      --display-name  the name notebooks show (default BAQL)
      --profile NAME  the baql profile the kernel opens (default: the config's default)
      --print-spec    print kernel.json and the target directory; write nothing
  run <connection_file> [--profile NAME]
      Serve a Jupyter connection file (what kernel.json runs).

Environment:
  BAQL_PROFILE            profile to open (the kernelspec's --profile sets it)
  BAQL_KERNEL_LOG         also append the kernel log to this file
  BAQL_KERNEL_LOG_LEVEL   debug | info | warn | error (default info)
  BAQL_KERNEL_PROGRESS_DELAY_MS
                          show live progress once a query runs this long (default 150;
                          0: from its first progress event)
`;

/** Where the CLI writes. @since 0.1.0 */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Options of {@link runKernelCli}. @since 0.1.0 */
export interface KernelCliOptions {
  readonly io?: CliIo;
  /** Opens the language `run` serves (default: BAQL on a runtime session). */
  readonly openLanguage?: (options: {
    profile?: string;
    log: (level: LogLevel, text: string) => void;
  }) => Promise<KernelLanguage>;
  readonly env?: NodeJS.ProcessEnv;
}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** The kernel log: stderr (Jupyter keeps it) and optionally a file. @since 0.1.0 */
export function createLogger(
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): (level: LogLevel, text: string) => void {
  const wanted = LEVELS.indexOf((env['BAQL_KERNEL_LOG_LEVEL'] ?? 'info') as LogLevel);
  const threshold = wanted < 0 ? 1 : wanted;
  const file = env['BAQL_KERNEL_LOG'];
  return (level, text) => {
    if (LEVELS.indexOf(level) < threshold) return;
    const line = `[baql-kernel ${new Date().toISOString()} ${level.toUpperCase()}] ${text}\n`;
    io.stderr(line);
    if (file) {
      try {
        appendFileSync(file, line);
      } catch (_error) {
        // a broken log file must not stop the kernel
      }
    }
  };
}

const defaultIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

const install = async (
  args: readonly string[],
  io: CliIo,
  env: NodeJS.ProcessEnv,
): Promise<number> => {
  const { values } = parseArgs({
    args: [...args],
    options: {
      user: { type: 'boolean' },
      prefix: { type: 'string' },
      'sys-prefix': { type: 'boolean' },
      name: { type: 'string' },
      'display-name': { type: 'string' },
      profile: { type: 'string' },
      'print-spec': { type: 'boolean' },
    },
    allowPositionals: false,
    strict: true,
  });
  const result = await installKernelSpec({
    env,
    ...(values.user === undefined ? {} : { user: values.user }),
    ...(values.prefix === undefined ? {} : { prefix: values.prefix }),
    ...(values['sys-prefix'] === undefined ? {} : { sysPrefix: values['sys-prefix'] }),
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(values['display-name'] === undefined ? {} : { displayName: values['display-name'] }),
    ...(values.profile === undefined ? {} : { profile: values.profile }),
    ...(values['print-spec'] === true ? { dryRun: true } : {}),
  });
  if (E.isLeft(result)) {
    io.stderr(`baql kernel install: ${describeInstallError(result.left)}\n`);
    return 1;
  }
  if (values['print-spec'] === true) {
    io.stdout(`# ${result.right.dir}/kernel.json\n${JSON.stringify(result.right.spec, null, 2)}\n`);
  } else {
    io.stdout(`Installed kernelspec ${values.name ?? 'baql'} in ${result.right.dir}\n`);
  }
  return 0;
};

const defaultOpenLanguage: NonNullable<KernelCliOptions['openLanguage']> = async (options) => {
  const { openBaqlLanguage } = await import('./baql-wiring.js');
  return openBaqlLanguage(options);
};

const run = async (
  args: readonly string[],
  io: CliIo,
  env: NodeJS.ProcessEnv,
  openLanguage: NonNullable<KernelCliOptions['openLanguage']>,
): Promise<number> => {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { profile: { type: 'string' }, f: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const file = values.f ?? positionals[0];
  if (file === undefined || positionals.length > 1) {
    io.stderr('baql kernel run: give exactly one connection file\n');
    return 2;
  }
  // SIGINT is an interrupt, never the end of the kernel: it is caught from the start (a client
  // may send one as soon as the ports are in the file), and interrupts the cell once one can run.
  let interrupt = (): void => undefined;
  const onSigint = () => interrupt();
  process.on('SIGINT', onSigint);
  try {
    return await serveConnection(file, values.profile, io, env, openLanguage, (fn) => {
      interrupt = fn;
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
};

const serveConnection = async (
  file: string,
  profileOption: string | undefined,
  io: CliIo,
  env: NodeJS.ProcessEnv,
  openLanguage: NonNullable<KernelCliOptions['openLanguage']>,
  onInterrupt: (fn: () => void) => void,
): Promise<number> => {
  const log = createLogger(io, env);
  const connection = await readConnectionFile(file);
  if (E.isLeft(connection)) {
    log('error', describeConnectionError(connection.left));
    return 1;
  }
  const profile = profileOption ?? env['BAQL_PROFILE'];
  let language: KernelLanguage;
  try {
    language = await openLanguage({ log, ...(profile ? { profile } : {}) });
  } catch (error) {
    log('error', `cannot start: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const server = await startKernelServer({
    traceMessages: env['BAQL_KERNEL_LOG_LEVEL'] === 'debug',
    connection: connection.right,
    log,
    createHandler: (send, onShutdown, whenShellSettled) =>
      createKernelHandler({ language, send, log, onShutdown, whenShellSettled }),
  });
  if (E.isLeft(server)) {
    log('error', describeServerError(server.left));
    await language.shutdown();
    return 1;
  }
  const { handler, closed, close } = server.right;
  onInterrupt(() => handler.interrupt());
  if (hasFreePorts(connection.right)) {
    // Ports left at 0 were picked when binding: the client reads them from the file.
    const written = await writeBoundPorts(file, server.right.connection);
    if (E.isLeft(written)) {
      log('error', describeConnectionError(written.left));
      await language.shutdown();
      await close();
      return 1;
    }
  }
  log('info', `serving ${file} (session ${handler.session})`);
  const onSigterm = () => {
    void language.shutdown().finally(() => void close());
  };
  process.on('SIGTERM', onSigterm);
  await closed;
  process.off('SIGTERM', onSigterm);
  log('info', 'kernel stopped');
  return 0;
};

/**
 * Runs `baql kernel <argv…>` and resolves to the exit code. Bad input gets a one-line error on
 * stderr and a non-zero code, never a stack trace.
 *
 * @example
 * process.exitCode = await runKernelCli(['install', '--user']);
 * @since 0.1.0
 */
export async function runKernelCli(
  argv: readonly string[],
  options: KernelCliOptions = {},
): Promise<number> {
  const io = options.io ?? defaultIo;
  const env = options.env ?? process.env;
  const [command, ...rest] = argv;
  if (command !== undefined && (rest.includes('--help') || rest.includes('-h'))) {
    io.stdout(KERNEL_HELP);
    return 0;
  }
  try {
    switch (command) {
      case 'install':
        return await install(rest, io, env);
      case 'run':
        return await run(rest, io, env, options.openLanguage ?? defaultOpenLanguage);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(KERNEL_HELP);
        return command === undefined ? 2 : 0;
      default:
        io.stderr(`baql kernel: unknown command "${command}"\n\n${KERNEL_HELP}`);
        return 2;
    }
  } catch (error) {
    // parseArgs reports unknown or malformed options by throwing a TypeError with a clear message.
    io.stderr(
      `baql kernel ${command}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 2;
  }
}

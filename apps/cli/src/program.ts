/**
 * The `baql` command line: commander wiring only. Every command's code is imported when that
 * command runs, so `baql --help` and the REPL's first prompt load as little as possible.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EXIT, type CliIo } from './io.js';
import { OUTPUT_FORMATS } from './output/format.js';

/** The version printed by `baql --version`. */
export const VERSION = '0.0.0';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Options shared by every command that talks to an API. */
export interface ConnectionOptions {
  readonly profile?: string;
  readonly config?: string;
  /** IANA time zone of dates without an offset, `today` and `@d` (over the profile's). */
  readonly tz?: string;
}

/**
 * Runs the `baql` command line with `argv` (without `node` and the script) and resolves to the
 * exit code: 0 ok, 1 upstream/runtime error, 2 invalid query or usage.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const set = (code: number) => {
    exitCode = code;
  };
  const program = new Command('baql')
    .description(
      'Ask questions of Candescent banking activity logs.\n' +
        'With no command, opens the analyst REPL on the current profile (the embedded sandbox when nothing is configured).',
    )
    .version(VERSION, '-V, --version')
    .option(
      '-p, --profile <name>',
      'profile to use (default: $BAQL_PROFILE, the config default, or sandbox)',
    )
    .option(
      '-c, --config <path>',
      'config file (default: $BAQL_CONFIG, ./baql.config.json, ~/.config/baql/config.json)',
    )
    .option(
      '--tz <zone>',
      "time zone of dates without an offset, today and @d (default: the profile's, else UTC)",
    )
    // Options before a command are baql's; after it, the command's (so `baql kernel install
    // --profile p` hands `--profile p` to the kernel).
    .enablePositionalOptions()
    .helpCommand(true)
    // A word that is no command reaches the action below, which says so.
    .allowExcessArguments(true)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(usageError(s)),
      // A fixed width, so the help is the same everywhere (and matches the README).
      getOutHelpWidth: () => 100,
      getErrHelpWidth: () => 100,
    })
    .exitOverride()
    .showSuggestionAfterError(true)
    .action(async (opts: ConnectionOptions, cmd: Command) => {
      const [word] = cmd.args;
      if (word !== undefined) return unknownCommand(cmd, word);
      const { runRepl } = await import('./repl/repl.js');
      set(await runRepl(io, opts));
    });

  program
    .command('run')
    .description('run a query from a saved .baql file, -e text, or - (stdin)')
    .argument('[file]', 'a .baql file, or - for standard input')
    .option('-e, --execute <query>', 'the query text')
    .option('--param <k=v>', 'bind a query parameter (repeatable)', collect, [])
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices([...OUTPUT_FORMATS])
        .default(undefined, 'table on a terminal, ndjson otherwise'),
    )
    .option(
      '-o, --out <file>',
      'write the rows to a file (format from its extension unless --format)',
    )
    .option(
      '--max-pages <n>',
      'stop with an error rather than fetch more than N pages',
      parseInteger,
    )
    .option('--limit <n>', 'stop after N rows', parseInteger)
    .option('--now <iso>', 'evaluate relative times against this instant')
    .option(
      '--tz <zone>',
      "time zone of dates without an offset, today and @d (default: the profile's, else UTC)",
    )
    .option('-p, --profile <name>', 'profile to use')
    .option('-c, --config <path>', 'config file')
    .option('-q, --quiet', 'no summary line on stderr')
    .action(async (file: string | undefined, opts: RunCommandOptions, cmd: Command) => {
      const { runCommand } = await import('./commands/run.js');
      set(await runCommand(io, file, { ...inherited(cmd), ...opts }));
    });

  program
    .command('explain')
    .description('print the plan of a query: API requests, what runs client-side and why')
    .argument('<query...>', 'the query (quote it)')
    .option('--json', 'print the plan as JSON ({window, requests, residual, pipeline, notes})')
    .option('--now <iso>', 'evaluate relative times against this instant')
    .option('--param <k=v>', 'bind a query parameter (repeatable)', collect, [])
    .option(
      '--tz <zone>',
      "time zone of dates without an offset, today and @d (default: the profile's, else UTC)",
    )
    .option('-p, --profile <name>', 'profile to use (its plugins add fields and macros)')
    .option('-c, --config <path>', 'config file')
    .action(async (query: string[], opts: ExplainCommandOptions, cmd: Command) => {
      const { explainCommand } = await import('./commands/explain.js');
      set(await explainCommand(io, query.join(' '), { ...inherited(cmd), ...opts }));
    });

  program
    .command('fmt')
    .description('rewrite .baql files in canonical form (--check: only report files that differ)')
    .argument('<paths...>', 'files or directories')
    .option('--check', 'do not write; exit 1 when a file is not canonical')
    .option('-p, --profile <name>', 'profile whose plugins define the macros')
    .option('-c, --config <path>', 'config file')
    .action(
      async (paths: string[], opts: ConnectionOptions & { check?: boolean }, cmd: Command) => {
        const { fmtCommand } = await import('./commands/fmt.js');
        set(await fmtCommand(io, paths, { ...inherited(cmd), ...opts }));
      },
    );

  program
    .command('check')
    .description('validate .baql files: syntax, fields, parameters, golden plans (file:line:col)')
    .argument('<paths...>', 'files or directories')
    .option('--now <iso>', 'evaluate relative times against this instant')
    .option(
      '--tz <zone>',
      "time zone of dates without an offset, today and @d (default: the profile's, else UTC)",
    )
    .option('-p, --profile <name>', 'profile to use (its plugins add fields and macros)')
    .option('-c, --config <path>', 'config file')
    .action(async (paths: string[], opts: ConnectionOptions & { now?: string }, cmd: Command) => {
      const { checkCommand } = await import('./commands/check.js');
      set(await checkCommand(io, paths, { ...inherited(cmd), ...opts }));
    });

  program
    .command('sandbox')
    .description('run the local sandbox of the Auth and Banking Activity APIs (see its --help)')
    .helpOption(false)
    .allowUnknownOption(true)
    .argument('[args...]')
    .action(async (args: string[]) => {
      const { delegate } = await import('./commands/delegate.js');
      set(await delegate(io, 'sandbox', args));
    });

  program
    .command('serve')
    .description('run the baql HTTP service (see its --help)')
    .helpOption(false)
    .allowUnknownOption(true)
    .argument('[args...]')
    .action(async (args: string[]) => {
      const { delegate } = await import('./commands/delegate.js');
      set(await delegate(io, 'serve', args));
    });

  const kernel = program.command('kernel').description('the baql Jupyter kernel');
  kernel
    .command('install')
    .description('install the baql kernel spec for Jupyter (see its --help)')
    .helpOption(false)
    .allowUnknownOption(true)
    .argument('[args...]')
    .action(async (args: string[]) => {
      const { delegate } = await import('./commands/delegate.js');
      set(await delegate(io, 'kernel', ['install', ...args]));
    });

  kernel
    .command('run')
    .description(
      'run the kernel for Jupyter (Jupyter starts it from the kernel spec; see its --help)',
    )
    .helpOption(false)
    .allowUnknownOption(true)
    .argument('[args...]')
    .action(async (args: string[]) => {
      const { delegate } = await import('./commands/delegate.js');
      set(await delegate(io, 'kernel', ['run', ...args]));
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version')
        return EXIT.ok;
      if (error.code === 'commander.help') return EXIT.ok;
      return error.exitCode === 0 ? EXIT.ok : EXIT.invalid;
    }
    const { reportUnexpected } = await import('./errors.js');
    return reportUnexpected(io, error);
  }
  return exitCode;
}

/** `--profile`/`--config` given before the command name. */
function inherited(cmd: Command): ConnectionOptions {
  const parent = cmd.parent?.opts<ConnectionOptions>() ?? {};
  return {
    ...(parent.profile === undefined ? {} : { profile: parent.profile }),
    ...(parent.config === undefined ? {} : { config: parent.config }),
    ...(parent.tz === undefined ? {} : { tz: parent.tz }),
  };
}

/** Parses an option's value as a positive integer (commander reports a bad one, exit 2). */
function parseInteger(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n <= 0) {
    throw new InvalidArgumentError('must be a positive integer');
  }
  return n;
}

/**
 * A usage error of commander as one line in baql's voice: `error: x` becomes `baql: x`, and
 * `x is invalid. y` / `(Did you mean y?)` read `x is invalid: y` / `(did you mean y?)`.
 */
function usageError(message: string): string {
  return `${message
    .trimEnd()
    .replace(/^error: /, 'baql: ')
    .replace(/ is invalid\. /, ' is invalid: ')
    .replace(/\n\(Did you mean (.+)\?\)$/, ' (did you mean $1?)')}\n`;
}

/** Fails with `baql: unknown command 'word' (did you mean …?)` (exit 2). */
async function unknownCommand(program: Command, word: string): Promise<never> {
  const { didYouMean } = await import('@baql/query');
  const names = program.commands.map((c) => c.name());
  const [similar] = didYouMean(word, names, 1);
  const suggestion = similar === undefined ? '' : ` (did you mean ${similar}?)`;
  const hint = similar === undefined ? "; 'baql --help' lists the commands" : '';
  return program.error(`baql: unknown command '${word}'${suggestion}${hint}`, {
    code: 'commander.unknownCommand',
    exitCode: EXIT.invalid,
  });
}

/** Options of `baql run`. */
export interface RunCommandOptions extends ConnectionOptions {
  readonly execute?: string;
  readonly param: string[];
  readonly format?: (typeof OUTPUT_FORMATS)[number];
  readonly out?: string;
  readonly maxPages?: number;
  readonly limit?: number;
  readonly now?: string;
  readonly quiet?: boolean;
}

/** Options of `baql explain`. */
export interface ExplainCommandOptions extends ConnectionOptions {
  readonly json?: boolean;
  readonly now?: string;
  readonly param: string[];
}

/**
 * The analyst REPL. Shows its prompt at once, then opens the session (starting the embedded
 * sandbox when the profile is `sandbox`) and loads the query language in the background. Ctrl-C
 * cancels a running query, never the REPL; Ctrl-D exits.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ParamValue } from '@baql/query';
import type { Session } from '@baql/runtime';
import { isBaqlError, errorMessage } from '../errors.js';
import type { RunSummary } from '../execute.js';
import type { CliIo } from '../io.js';
import { balanced, loadQuery, renderDiagnostics, type Query } from '../lang.js';
import { plannedText } from '../macros.js';
import {
  checkOutputPath,
  openFileOutput,
  OutputFileError,
  type FileOutput,
} from '../output/file-output.js';
import {
  formatFromPath,
  isOutputFormat,
  OUTPUT_FORMATS,
  type OutputFormat,
} from '../output/format.js';
import { streamWriter, stringWriter } from '../output/writer.js';
import type { ConnectionOptions } from '../program.js';
import type { ProgressEvent } from '../progress.js';
import { bindSavedParams, findSavedQuery, savedQueryText } from '../saved.js';
import { BACKSLASH_HELP, parseAssignments, parseBackslash, splitRedirect } from './backslash.js';
import { createCompleter, createHighlighter } from './assist.js';
import { History } from './history.js';
import { LineEditor, type Key } from './line-editor.js';

const dim = (s: string) => `\x1b[2m${s}\x1b[22m`;
const red = (s: string) => `\x1b[31m${s}\x1b[39m`;

/** REPL state that backslash commands change. */
interface ReplState {
  format: OutputFormat;
  outFile: string | undefined;
  timing: boolean;
  maxPages: number;
  params: Record<string, string>;
  lastQuery: string | undefined;
  lastSummary: RunSummary | undefined;
  nextBuffer: string;
}

/** The directory where `\save` writes and `\run` looks: `$BAQL_QUERIES_DIR`, else `./queries`. */
export function queriesDir(io: CliIo): string {
  return resolve(io.cwd, io.env.BAQL_QUERIES_DIR ?? 'queries');
}

/** Where the history of `profile` lives: `$BAQL_HISTORY_DIR` or `~/.baql/history`. */
export function historyFile(io: CliIo, profile: string): string {
  const dir = io.env.BAQL_HISTORY_DIR ?? join(io.env.HOME ?? homedir(), '.baql', 'history');
  return join(dir, `${profile.replace(/[^\w.-]/g, '_')}.jsonl`);
}

/** Runs the REPL until Ctrl-D or `\q`; resolves to the exit code. */
export async function runRepl(io: CliIo, options: ConnectionOptions): Promise<number> {
  if (!io.stdin.isTTY) {
    // Piped input: run it as one query, the batch way.
    const { runCommand } = await import('../commands/run.js');
    return runCommand(io, '-', { ...options, param: [] });
  }
  const stdout = io.stdout;
  const input = io.stdin as unknown as NodeJS.ReadStream;
  const requested = options.profile ?? io.env.BAQL_PROFILE;
  const history = new History(historyFile(io, requested ?? 'default'));
  const loadedEntries = history.entries.length;
  let query: Query | undefined;
  let session: Session | undefined;
  let sessionError: unknown;

  const editor = new LineEditor({
    input,
    output: stdout as unknown as NodeJS.WriteStream,
    prompt: '\x1b[1mbaql>\x1b[22m ',
    continuation: '…> ',
    history,
    highlight: (text) => (query ? createHighlighter(query)(text) : text),
    isComplete: (text) => (query ? query.isComplete(text) : balanced(text)),
    complete: async (text, cursor) => {
      const q = await loadQuery();
      return createCompleter(q, session?.catalog)(text, cursor);
    },
  });

  stdout.write(
    `baql — ask questions of banking activity logs. ${dim('\\help for commands, Ctrl-D to exit.')}\n` +
      `${dim('Opening the session…')}\n`,
  );

  const sessionReady = (async () => {
    const { openSession } = await import('@baql/runtime');
    return openSession({
      ...(options.profile === undefined ? {} : { profile: options.profile }),
      ...(options.config === undefined ? {} : { configPath: options.config }),
      ...(options.tz === undefined ? {} : { client: { timeZone: options.tz } }),
      cwd: io.cwd,
      env: io.env,
    });
  })().then(
    (s) => {
      session = s;
      if (s.profileName !== requested) {
        // History is per profile: now that the profile is known, use its file.
        const own = new History(historyFile(io, s.profileName));
        for (const entry of history.entries.slice(loadedEntries)) own.add(entry);
        editor.setHistory(own);
      }
      editor.printAbove(s.banner.lines.join('\n'));
      return s;
    },
    (error: unknown) => {
      sessionError = error;
      editor.printAbove(red(`Could not open the session: ${errorMessage(error)}`));
      return undefined;
    },
  );
  // Load the language in the background: highlighting and multi-line input start when it is ready.
  void loadQuery().then((q) => {
    query = q;
  });

  const state: ReplState = {
    format: 'table',
    outFile: undefined,
    timing: true,
    maxPages: Number(io.env.BAQL_CONFIRM_PAGES ?? 50) || 50,
    params: {},
    lastQuery: undefined,
    lastSummary: undefined,
    nextBuffer: '',
  };

  const getSession = async (): Promise<Session | undefined> => {
    const s = session ?? (await sessionReady);
    if (!s) stdout.write(`${red(`No session: ${errorMessage(sessionError)}`)}\n`);
    return s;
  };

  // Ctrl-C arrives as a key while a query runs (the terminal is in raw mode).
  let onInterrupt: (() => void) | undefined;
  let onAnswer: ((key: Key) => void) | undefined;
  editor.onIdleKey = (key) => {
    if (onAnswer) return onAnswer(key);
    if (key.ctrl && key.name === 'c') onInterrupt?.();
  };
  const sigint = () => onInterrupt?.();
  process.on('SIGINT', sigint);

  const ask = (question: string): Promise<boolean> =>
    new Promise((resolveAnswer) => {
      stdout.write(question);
      onAnswer = (key) => {
        onAnswer = undefined;
        const yes = key.name === 'y';
        stdout.write(yes ? 'y\n' : 'n\n');
        resolveAnswer(yes);
      };
    });

  const runQuery = async (
    line: string,
    params: Readonly<Record<string, ParamValue>> = state.params,
  ): Promise<void> => {
    const { query: text, file } = splitRedirect(line);
    const q = await loadQuery();
    // Only comments would run as the empty query, which matches every event.
    if (q.isBlankQuery(text)) {
      stdout.write('Nothing to run: the query holds only comments.\n');
      return;
    }
    const s = await getSession();
    if (!s) return;
    state.lastQuery = text;
    // What the plan's diagnostics refer to: the query with its macros expanded.
    const planned = await plannedText(s.client, text);
    const target = file ?? state.outFile;
    const format: OutputFormat = target ? (formatFromPath(target) ?? state.format) : state.format;
    const controller = new AbortController();
    const toTerminal = target === undefined;
    const buffered = toTerminal && (format === 'table' || format === 'markdown');
    // Loaded on the first query, not before the first prompt (the renderers take a while to load).
    const { executeQuery, summaryLine } = await import('../execute.js');
    const collected = stringWriter();
    const output = target === undefined ? undefined : await openOutput(target);
    if (output === 'failed') return;
    // A full disk or a vanished folder stops the query: its rows could go nowhere.
    output?.onFailure(() => controller.abort());
    onInterrupt = () => controller.abort();
    const out = output
      ? streamWriter(output.stream)
      : buffered
        ? collected
        : streamWriter(stdout, 1);
    let confirmed = false;
    try {
      const result = await executeQuery(s.client, text, {
        format,
        out,
        params,
        signal: controller.signal,
        progress: io.stderr,
        outputIsTerminal: toTerminal && !buffered,
        width: stdout.columns ?? 100,
        color: true,
        onWarnings: async (diagnostics) => {
          stdout.write(`${await renderDiagnostics(planned, diagnostics)}\n`);
        },
        onRow: async (progress: ProgressEvent | undefined) => {
          if (confirmed || !progress || progress.pages <= state.maxPages) return true;
          confirmed = await ask(
            `Fetched ${progress.pages} pages (${progress.records.toLocaleString('en-US')} records) so far; continue? [y/N] `,
          );
          return confirmed;
        },
      });
      await output?.commit();
      if (buffered) page(collected.text(), stdout, editor, io);
      state.lastSummary = result.summary;
      if (target) stdout.write(`Wrote ${rowCount(result.rows)} to ${target} (${format}).\n`);
      if (result.stopped) stdout.write('Stopped at your request.\n');
      if (state.timing) stdout.write(`${dim(summaryLine(result.summary, result.rows))}\n`);
    } catch (error) {
      output?.discard();
      const outputFailure =
        output?.failure ?? (error instanceof OutputFileError ? error : undefined);
      if (outputFailure) {
        stdout.write(`${red(outputFailure.message)}\n`);
      } else if (controller.signal.aborted) {
        stdout.write('Cancelled.\n');
      } else if (isBaqlError(error) && error.reason._tag === 'PlanError') {
        const diagnostics = (error.reason.diagnostics ?? []) as Parameters<
          Query['renderDiagnostic']
        >[1][];
        stdout.write(`${await renderDiagnostics(planned, diagnostics)}\n`);
      } else if (isBaqlError(error) && error.reason._tag === 'Aborted') {
        stdout.write('Cancelled.\n');
      } else {
        stdout.write(`${red(errorMessage(error))}\n`);
      }
    } finally {
      onInterrupt = undefined;
      onAnswer = undefined;
    }
    void q;
  };

  /** Opens a result file (its folder must exist); says why not, and resolves to `'failed'`. */
  const openOutput = async (target: string): Promise<FileOutput | 'failed'> => {
    try {
      return await openFileOutput(target, resolve(io.cwd, target));
    } catch (error) {
      stdout.write(`${red(errorMessage(error))}\n`);
      return 'failed';
    }
  };

  const commands = new ReplCommands(io, state, editor, getSession, runQuery);

  try {
    for (;;) {
      const line = await editor.read(state.nextBuffer);
      state.nextBuffer = '';
      if (line === null) break;
      const trimmed = line.trim();
      if (trimmed === '') continue;
      // A comment on its own line is a note, as in psql: nothing runs.
      if (trimmed.startsWith('#') && (await loadQuery()).isBlankQuery(line)) continue;
      const command = parseBackslash(trimmed);
      if (command) {
        if (command.name === 'q' || command.name === 'quit') break;
        try {
          await commands.run(command.name, command.rest, command.args);
        } catch (error) {
          stdout.write(`${red(errorMessage(error))}\n`);
        }
        continue;
      }
      if (trimmed.startsWith('\\')) {
        stdout.write(`Unknown command ${trimmed.split(/\s/)[0]}; \\help lists them.\n`);
        continue;
      }
      await runQuery(line);
    }
  } finally {
    process.off('SIGINT', sigint);
    editor.close();
    if (session) await session.close();
    else if (sessionError === undefined) {
      // Still opening (the embedded sandbox starting): nothing is lost by leaving now — history is
      // written as it goes and the sandbox writes its cache atomically — so do not make the user wait.
      process.exit(0);
    }
  }
  return 0;
}

/** Shows `text` through `$PAGER` (default `less -FRSX`) when it is taller than the terminal. */
function page(text: string, stdout: CliIo['stdout'], editor: LineEditor, io: CliIo): void {
  const rows = (stdout as { rows?: number }).rows ?? 24;
  const pager = io.env.BAQL_PAGER ?? io.env.PAGER ?? 'less -FRSX';
  const lines = text.split('\n').length;
  if (lines < rows - 2 || pager === '' || pager === 'cat' || !stdout.isTTY) {
    stdout.write(text);
    return;
  }
  editor.suspend();
  const result = spawnSync(pager, {
    input: text,
    stdio: ['pipe', 'inherit', 'inherit'],
    shell: true,
  });
  editor.resume();
  if (result.error || result.status === 127) stdout.write(text);
}

/** The backslash commands. */
class ReplCommands {
  constructor(
    private readonly io: CliIo,
    private readonly state: ReplState,
    private readonly editor: LineEditor,
    private readonly session: () => Promise<Session | undefined>,
    private readonly runQuery: (
      line: string,
      params?: Readonly<Record<string, ParamValue>>,
    ) => Promise<void>,
  ) {}

  private print(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  async run(name: string, rest: string, args: readonly string[]): Promise<void> {
    switch (name) {
      case 'help':
      case '?':
      case 'h': {
        const width = Math.max(...BACKSLASH_HELP.map(([c]) => c.length));
        this.print(
          [
            'Type a query and press Enter (an unclosed parenthesis or quote, or a trailing |, continues on the next line).',
            'Tab completes fields, keywords, event ids and values; Ctrl-R searches history; Ctrl-C cancels; Ctrl-D exits.',
            'End a query with > file.csv (or .ndjson, .json, .md) to write its rows to a file.',
            '',
            ...BACKSLASH_HELP.map(([c, h]) => `  ${c.padEnd(width)}  ${h}`),
          ].join('\n'),
        );
        return;
      }
      case 'explain': {
        const text = rest || this.state.lastQuery;
        if (!text) return this.print('Nothing to explain: give a query, or run one first.');
        const s = await this.session();
        if (!s) return;
        try {
          this.print(s.client.explain(text, { params: this.state.params }));
        } catch (error) {
          await this.printError(await plannedText(s.client, text), error);
        }
        return;
      }
      case 'format':
      case 'fmt': {
        const text = rest || this.state.lastQuery;
        if (!text) return this.print('Nothing to format: give a query, or run one first.');
        const q = await loadQuery();
        const formatted = q.format(text);
        this.print(formatted);
        return;
      }
      case 'set': {
        const [key, ...value] = args;
        if (!key) return this.run('params', '', []);
        if (value.length === 0)
          return this.print(`\\set ${key} needs a value (\\unset ${key} removes it).`);
        this.state.params[key.replace(/^\$/, '')] = value.join(' ');
        return;
      }
      case 'unset':
        for (const key of args) delete this.state.params[key.replace(/^\$/, '')];
        return;
      case 'params': {
        const entries = Object.entries(this.state.params);
        this.print(
          entries.length === 0
            ? 'No parameters (\\set name value).'
            : entries.map(([k, v]) => `$${k} = ${v}`).join('\n'),
        );
        return;
      }
      case 'save': {
        const [nameArg] = args;
        if (!nameArg) return this.print('Usage: \\save name');
        if (!this.state.lastQuery) return this.print('Nothing to save: run a query first.');
        const name = nameArg.replace(/\.baql$/, '');
        if (!/^[\w-]+$/.test(name))
          return this.print('A saved query name uses letters, digits, - and _.');
        const dir = queriesDir(this.io);
        mkdirSync(dir, { recursive: true });
        const path = join(dir, `${name}.baql`);
        const q = await loadQuery();
        writeFileSync(
          path,
          savedQueryText(q, {
            name,
            query: this.state.lastQuery,
            params: this.state.params,
            owner: this.io.env.USER,
          }),
        );
        this.print(`Saved ${path}`);
        return;
      }
      case 'run': {
        const [nameArg, ...assignments] = args;
        if (!nameArg) return this.print('Usage: \\run name [k=v …]');
        const path = findSavedQuery(queriesDir(this.io), this.io.cwd, nameArg);
        if (!path) return this.print(`No saved query "${nameArg}" in ${queriesDir(this.io)}.`);
        const { params, invalid } = parseAssignments(assignments);
        if (invalid.length > 0) return this.print(`Parameters are k=v: ${invalid.join(' ')}`);
        const q = await loadQuery();
        const text = readFileSync(path, 'utf8');
        const saved = q.parseSavedQuery(text);
        const problems = saved.diagnostics.filter((d) => d.severity === 'error');
        if (problems.length > 0)
          return this.print(problems.map((d) => q.renderDiagnostic(text, d)).join('\n'));
        const bound = bindSavedParams(q, saved, { ...this.state.params, ...params });
        if ('error' in bound) return this.print(bound.error);
        await this.runQuery(saved.query.trim(), bound.params);
        return;
      }
      case 'load':
      case 'i': {
        const [file] = args;
        if (!file) return this.print('Usage: \\load file.baql');
        const path = resolve(this.io.cwd, file);
        if (!existsSync(path)) return this.print(`No file ${file}.`);
        const q = await loadQuery();
        this.state.nextBuffer = q.parseSavedQuery(readFileSync(path, 'utf8')).query.trim();
        return;
      }
      case 'e':
      case 'edit': {
        const file = args[0] ? resolve(this.io.cwd, args[0]) : undefined;
        const initial = file
          ? existsSync(file)
            ? readFileSync(file, 'utf8')
            : ''
          : (this.state.lastQuery ?? '');
        const dir = file ? undefined : mkdtempSync(join(tmpdir(), 'baql-edit-'));
        try {
          const path = file ?? join(dir as string, 'query.baql');
          if (!file) writeFileSync(path, `${initial.trim()}\n`);
          const editorCmd = this.io.env.VISUAL ?? this.io.env.EDITOR ?? 'vi';
          this.editor.suspend();
          const result = spawnSync(`${editorCmd} ${JSON.stringify(path)}`, {
            stdio: 'inherit',
            shell: true,
          });
          this.editor.resume();
          if (result.status !== 0) {
            this.print(`${editorCmd} exited with status ${result.status ?? 'unknown'}.`);
            return;
          }
          try {
            this.state.nextBuffer = readFileSync(path, 'utf8').replace(/\s+$/, '');
          } catch (_error) {
            this.print(`${editorCmd} left no file at ${path}; nothing to run.`);
          }
        } finally {
          if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
        }
        return;
      }
      case 'fields': {
        const s = await this.session();
        const q = await loadQuery();
        this.print(catalogFields(q, s).join('\n'));
        return;
      }
      case 'events': {
        const s = await this.session();
        const q = await loadQuery();
        this.print(catalogEvents(q, s).join('\n'));
        return;
      }
      case 'values': {
        const [field] = args;
        if (!field) return this.print('Usage: \\values field');
        const s = await this.session();
        const q = await loadQuery();
        const values = catalogValues(q, s, field);
        this.print(values.length === 0 ? `No known values for ${field}.` : values.join('\n'));
        return;
      }
      case 'profile': {
        const s = await this.session();
        if (!s) return;
        const info = s.info;
        this.print(
          [
            `profile       ${info.profileName}${info.embeddedSandbox ? ' (embedded sandbox, sample data)' : ''}`,
            `api           ${info.baseUrl}`,
            `institution   ${info.institutionId}`,
            `client id     ${info.clientId}`,
            ...(info.configPath ? [`config        ${info.configPath}`] : []),
            ...(s.banner.dataRange
              ? [`data range    ${s.banner.dataRange.start} … ${s.banner.dataRange.end}`]
              : []),
          ].join('\n'),
        );
        return;
      }
      case 'last': {
        if (!this.state.lastQuery) return this.print('No query yet.');
        this.print(this.state.lastQuery);
        if (this.state.lastSummary) {
          const { summaryLine } = await import('../execute.js');
          this.print(dim(summaryLine(this.state.lastSummary)));
        }
        return;
      }
      case 'o':
      case 'out': {
        const [target] = args;
        if (!target) {
          return this.print(
            `Output: ${this.state.format}${this.state.outFile ? ` to ${this.state.outFile}` : ' to the terminal'} (formats: ${OUTPUT_FORMATS.join(', ')}).`,
          );
        }
        if (target === '-' || target === 'stdout') {
          this.state.outFile = undefined;
          return this.print(`Output: ${this.state.format} to the terminal.`);
        }
        if (isOutputFormat(target)) {
          this.state.format = target;
          return this.print(
            `Output: ${target}${this.state.outFile ? ` to ${this.state.outFile}` : ''}.`,
          );
        }
        const format = formatFromPath(target);
        if (!format)
          return this.print(
            `Unknown format "${target}" (use ${OUTPUT_FORMATS.join(', ')}, or a file ending .csv .json .ndjson .md).`,
          );
        checkOutputPath(target, resolve(this.io.cwd, target));
        this.state.outFile = target;
        return this.print(`Output: ${format} to ${target} (\\o - goes back to the terminal).`);
      }
      case 'timing':
        this.state.timing = args[0] === undefined ? !this.state.timing : args[0] === 'on';
        return this.print(`Timing is ${this.state.timing ? 'on' : 'off'}.`);
      case 'maxpages': {
        const n = Number(args[0]);
        if (args[0] !== undefined && (!Number.isInteger(n) || n <= 0))
          return this.print('Usage: \\maxpages n (a positive integer)');
        if (args[0] !== undefined) this.state.maxPages = n;
        return this.print(`Asking before fetching more than ${this.state.maxPages} pages.`);
      }
      default:
        return this.print(`Unknown command \\${name}; \\help lists them.`);
    }
  }

  private async printError(text: string, error: unknown): Promise<void> {
    if (isBaqlError(error) && error.reason._tag === 'PlanError') {
      const diagnostics = (error.reason.diagnostics ?? []) as Parameters<
        Query['renderDiagnostic']
      >[1][];
      this.print(await renderDiagnostics(text, diagnostics));
    } else {
      this.print(red(errorMessage(error)));
    }
  }
}

function catalogOf(q: Query, s: Session | undefined) {
  return s?.catalog ?? q.defaultCatalog;
}

function catalogFields(q: Query, s: Session | undefined): string[] {
  const catalog = catalogOf(q, s);
  return catalog.fields.map((f) =>
    `${f.name.padEnd(14)} ${f.description}${f.aliases?.length ? ` (also ${f.aliases.join(', ')})` : ''}`.trimEnd(),
  );
}

function catalogEvents(q: Query, s: Session | undefined): string[] {
  const catalog = catalogOf(q, s);
  return catalog.events.map((e) =>
    `${e.id.padEnd(16)} ${e.kind.padEnd(7)} ${e.description}`.trimEnd(),
  );
}

function catalogValues(q: Query, s: Session | undefined, field: string): string[] {
  const catalog = catalogOf(q, s);
  const wanted = field.toLowerCase();
  const f = catalog.fields.find(
    (x) =>
      x.name.toLowerCase() === wanted || (x.aliases ?? []).some((a) => a.toLowerCase() === wanted),
  );
  if (f?.target === 'event') return catalog.events.map((e) => e.id);
  if (f?.values) return [...f.values];
  const attribute = (f?.attribute ?? field).toLowerCase();
  const a = catalog.attributes.find((x) => x.name.toLowerCase() === attribute);
  return [...(a?.examples ?? [])];
}

/** `1 row`, `2 rows`. */
function rowCount(n: number): string {
  return `${n.toLocaleString('en-US')} row${n === 1 ? '' : 's'}`;
}

/**
 * The pure protocol handler: decoded messages in, messages out through a `send` callback. No
 * sockets, no process: tested directly, and driven by the ZeroMQ adapter in production.
 *
 * Shell requests run one at a time, in order; control requests (interrupt, shutdown, kernel info)
 * are answered at once, even while a cell runs. Every request is wrapped in `busy`/`idle` status
 * messages on IOPub, and nothing a client sends can make the handler throw.
 *
 * @since 0.1.0
 * @module
 */
import { randomUUID } from 'node:crypto';
import { codePointsToUtf16, utf16ToCodePoints } from './protocol/cursor.js';
import { PROTOCOL_VERSION, type Header, type JsonObject, type Message } from './protocol/types.js';
import type { CellContext, CellOutcome, KernelLanguage, MimeBundle } from './language.js';

/** Where the handler sends a message. @since 0.1.0 */
export type OutChannel = 'shell' | 'control' | 'iopub' | 'stdin';

/** Log levels of the kernel log. @since 0.1.0 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Options of {@link createKernelHandler}. @since 0.1.0 */
export interface KernelHandlerOptions {
  /** The language that runs cells. */
  readonly language: KernelLanguage;
  /** Sends a message on a channel (the adapter signs and writes it). */
  readonly send: (channel: OutChannel, message: Message) => void;
  /** The kernel's session id (a new UUID by default). */
  readonly session?: string;
  /** The username in headers (default `baql`). */
  readonly username?: string;
  /** The kernel log (default: nothing). */
  readonly log?: (level: LogLevel, text: string) => void;
  /** Called after a `shutdown_request` was answered and the language shut down. */
  readonly onShutdown?: (restart: boolean) => void;
  /**
   * Message ids (default `<session>_<pid>_<n>`, unique per kernel as jupyter_client makes them:
   * cheaper than a UUID for each of the half dozen messages an execute sends).
   */
  readonly newId?: () => string;
  /** The clock for header dates. */
  readonly now?: () => Date;
  /**
   * Calls `fn` once every shell message that has reached the socket layer by now has been given
   * to `receive` (the zmq adapter: when its shell socket has nothing waiting). A cell that fails
   * with `stop_on_error` aborts the `execute_request`s received until then: those a client sent
   * before it could see the error, as "Run all" does. Default: at once (only the queue is aborted).
   */
  readonly whenShellSettled?: (fn: () => void) => void;
}

/** One stored history entry. @since 0.1.0 */
export interface HistoryEntry {
  readonly session: number;
  readonly line: number;
  readonly input: string;
  readonly output: string | null;
}

/** The protocol handler. @since 0.1.0 */
export interface KernelHandler {
  /** The kernel's session id, used in every header it sends. */
  readonly session: string;
  /** The current execution count. */
  readonly executionCount: number;
  /** Publishes `status: starting` (once, when the sockets are ready). */
  start(): void;
  /**
   * Handles a decoded message from the shell or control channel, or an `input_reply` from stdin.
   * Never rejects.
   */
  receive(channel: 'shell' | 'control' | 'stdin', message: Message): Promise<void>;
  /** Aborts the running cell, if any (interrupt_request or SIGINT). */
  interrupt(): void;
  /** Resolves when every queued shell request has been handled. */
  drain(): Promise<void>;
}

type Content = JsonObject;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The error content for a throw that escaped a language method. */
const internalError = (error: unknown): CellOutcome => {
  const text = error instanceof Error ? error.message : String(error);
  return { _tag: 'Error', ename: 'KernelError', evalue: text, traceback: [`KernelError: ${text}`] };
};

/** Converts a shell glob (`*`, `?`) to an anchored regular expression. */
const globToRegExp = (glob: string): RegExp =>
  new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    's',
  );

/**
 * Creates the protocol handler over a language.
 *
 * @example
 * const handler = createKernelHandler({ language, send: (channel, msg) => out.push([channel, msg]) });
 * handler.start();
 * await handler.receive('shell', kernelInfoRequest);
 * @since 0.1.0
 */
export function createKernelHandler(options: KernelHandlerOptions): KernelHandler {
  const { language, send } = options;
  const session = options.session ?? randomUUID();
  const username = options.username ?? 'baql';
  let sent = 0;
  const newId =
    options.newId ??
    (() => {
      sent += 1;
      return `${session}_${process.pid}_${sent}`;
    });
  // Header dates: one ISO string per millisecond (a cell's busy, execute_input and reply are
  // often made within the same one), unless the caller brings its own clock.
  let lastMs = Number.NaN;
  let lastIso = '';
  const clock = options.now;
  const isoNow =
    clock === undefined
      ? (): string => {
          const ms = Date.now();
          if (ms !== lastMs) {
            lastMs = ms;
            lastIso = new Date(ms).toISOString();
          }
          return lastIso;
        }
      : (): string => clock().toISOString();
  const log = options.log ?? (() => undefined);

  let executionCount = 0;
  let running: AbortController | undefined;
  let cellController = new AbortController();
  let shellQueue: Promise<void> = Promise.resolve();
  /** Shell requests received and not yet handled (running or queued). */
  let shellPending = 0;
  let enqueued = 0;
  let abortThrough = 0;
  /** After a stop_on_error failure, until the shell socket settles: arrivals are aborted. */
  let aborting = false;
  const whenShellSettled = options.whenShellSettled ?? ((fn: () => void) => fn());
  let shuttingDown = false;
  let shutdownRequested: boolean | undefined;
  const history: HistoryEntry[] = [];
  /** Pending `input_request`s by message id: resolve with the reply's value. */
  const pendingInput = new Map<string, (value: string | undefined) => void>();

  const header = (msgType: string): Header => ({
    msg_id: newId(),
    session,
    username,
    date: isoNow(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  });

  const message = (
    msgType: string,
    content: Content,
    parent: Message | undefined,
    identities: readonly Buffer[],
    metadata: JsonObject = {},
  ): Message => ({
    identities,
    header: header(msgType),
    parent_header: parent?.header ?? {},
    metadata,
    content,
    buffers: [],
  });

  /** IOPub topics by message type, made once: every cell publishes the same few. */
  const topics = new Map<string, readonly Buffer[]>();
  const topic = (msgType: string): readonly Buffer[] => {
    let found = topics.get(msgType);
    if (found === undefined) {
      found = [Buffer.from(`kernel.${session}.${msgType}`)];
      topics.set(msgType, found);
    }
    return found;
  };

  const publish = (msgType: string, content: Content, parent?: Message, metadata?: JsonObject) =>
    send('iopub', message(msgType, content, parent, topic(msgType), metadata));

  const status = (state: 'starting' | 'busy' | 'idle', parent?: Message) =>
    publish('status', { execution_state: state }, parent);

  const reply = (
    channel: 'shell' | 'control',
    request: Message,
    content: Content,
    metadata: JsonObject = {},
  ) => {
    const type = request.header.msg_type.replace(/_request$/, '_reply');
    send(channel, message(type, content, request, request.identities, metadata));
  };

  const errorReply = (ename: string, evalue: string): Content => ({
    status: 'error',
    ename,
    evalue,
    traceback: [`${ename}: ${evalue}`],
  });

  const text = (content: Content, key: string): string | undefined =>
    typeof content[key] === 'string' ? (content[key] as string) : undefined;
  const integer = (content: Content, key: string): number | undefined => {
    const value = content[key];
    return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
  };

  // ---------------------------------------------------------------------------------------------
  // execute

  const execute = async (channel: 'shell', request: Message, seq: number): Promise<void> => {
    const content = request.content;
    const code = text(content, 'code');
    if (code === undefined) {
      reply(channel, request, {
        ...errorReply('BadRequest', 'execute_request needs a string `code`'),
        execution_count: executionCount,
      });
      return;
    }
    if (seq <= abortThrough) {
      reply(channel, request, { status: 'aborted', execution_count: executionCount });
      return;
    }
    const silent = content['silent'] === true;
    const storeHistory = !silent && content['store_history'] !== false && code.trim() !== '';
    const stopOnError = content['stop_on_error'] !== false;
    if (storeHistory) executionCount += 1;
    const count = executionCount;
    if (!silent) publish('execute_input', { code, execution_count: count }, request);

    // One controller serves cell after cell until a cell is interrupted (making one per cell
    // showed in the round trip of a small query); a cell must remove the listeners it adds, as
    // @baql/core does.
    if (cellController.signal.aborted) cellController = new AbortController();
    const controller = cellController;
    running = controller;
    const context: CellContext = {
      signal: controller.signal,
      executionCount: count,
      display: (data: MimeBundle, displayId?: string, metadata: JsonObject = {}) => {
        if (silent) return;
        publish(
          'display_data',
          {
            data,
            metadata,
            transient: displayId === undefined ? {} : { display_id: displayId },
          },
          request,
        );
      },
      updateDisplay: (data: MimeBundle, displayId: string, metadata: JsonObject = {}) => {
        if (silent) return;
        publish(
          'update_display_data',
          { data, metadata, transient: { display_id: displayId } },
          request,
        );
      },
      stream: (name: 'stdout' | 'stderr', streamText: string) => {
        if (!silent) publish('stream', { name, text: streamText }, request);
      },
      input: (prompt: string, inputOptions: { readonly password?: boolean } = {}) => {
        if (content['allow_stdin'] !== true || controller.signal.aborted) {
          return Promise.resolve(undefined);
        }
        const ask = message(
          'input_request',
          { prompt, password: inputOptions.password === true },
          request,
          request.identities,
        );
        return new Promise<string | undefined>((resolve) => {
          const done = (value: string | undefined) => {
            pendingInput.delete(ask.header.msg_id);
            controller.signal.removeEventListener('abort', onAbort);
            resolve(value);
          };
          const onAbort = () => done(undefined);
          controller.signal.addEventListener('abort', onAbort);
          pendingInput.set(ask.header.msg_id, done);
          send('stdin', ask);
        });
      },
    };
    let outcome: CellOutcome;
    try {
      outcome = await language.execute(code, context);
    } catch (error) {
      outcome = internalError(error);
    } finally {
      if (running === controller) running = undefined;
    }

    if (outcome._tag === 'Ok') {
      if (outcome.result !== undefined && !silent) {
        publish(
          'execute_result',
          { execution_count: count, data: outcome.result, metadata: outcome.metadata ?? {} },
          request,
        );
      }
      const expressions = isObject(content['user_expressions']) ? content['user_expressions'] : {};
      const userExpressions = Object.fromEntries(
        Object.keys(expressions).map((key) => [
          key,
          errorReply('NotSupported', 'user_expressions are not evaluated by the BAQL kernel'),
        ]),
      );
      reply(channel, request, {
        status: 'ok',
        execution_count: count,
        user_expressions: userExpressions,
        payload: [],
      });
    } else {
      const { ename, evalue, traceback } = outcome;
      if (!silent) publish('error', { ename, evalue, traceback: [...traceback] }, request);
      reply(channel, request, {
        status: 'error',
        execution_count: count,
        ename,
        evalue,
        traceback: [...traceback],
      });
      // stop_on_error: every execute_request queued behind this one is aborted, and so is every
      // one still waiting on the socket (see `whenShellSettled`).
      if (stopOnError) {
        abortThrough = enqueued;
        if (!aborting) {
          aborting = true;
          whenShellSettled(() => {
            aborting = false;
          });
        }
      }
    }
    if (storeHistory) {
      const plain = outcome._tag === 'Ok' ? outcome.result?.['text/plain'] : undefined;
      history.push({
        session: 1,
        line: count,
        input: code,
        output: typeof plain === 'string' ? plain : null,
      });
    }
  };

  // ---------------------------------------------------------------------------------------------
  // the other requests

  const historyReply = (content: Content): Content => {
    const access = text(content, 'hist_access_type') ?? 'tail';
    const withOutput = content['output'] === true;
    let entries: HistoryEntry[];
    if (access === 'range') {
      const start = integer(content, 'start') ?? 0;
      const stop = integer(content, 'stop');
      entries = history.filter((e) => e.line >= start && (stop === undefined || e.line < stop));
    } else if (access === 'search') {
      const pattern = globToRegExp(text(content, 'pattern') ?? '*');
      entries = history.filter((e) => pattern.test(e.input));
      if (content['unique'] === true) {
        const seen = new Set<string>();
        entries = entries
          .reverse()
          .filter((e) => !seen.has(e.input) && seen.add(e.input) !== undefined)
          .reverse();
      }
      const n = integer(content, 'n');
      if (n !== undefined && n >= 0) entries = entries.slice(Math.max(0, entries.length - n));
    } else {
      const n = integer(content, 'n') ?? 10;
      entries = n <= 0 ? [] : history.slice(Math.max(0, history.length - n));
    }
    return {
      status: 'ok',
      history: entries.map((e) =>
        withOutput ? [e.session, e.line, [e.input, e.output]] : [e.session, e.line, e.input],
      ),
    };
  };

  const kernelInfo = (): Content => ({
    status: 'ok',
    protocol_version: PROTOCOL_VERSION,
    implementation: language.info.implementation,
    implementation_version: language.info.implementationVersion,
    language_info: language.info.languageInfo,
    banner: language.info.banner,
    help_links: language.info.helpLinks,
    debugger: false,
  });

  const cursorOf = (content: Content, code: string): number => {
    const pos = integer(content, 'cursor_pos');
    return codePointsToUtf16(code, pos === undefined || pos < 0 ? [...code].length : pos);
  };

  /** Answers one request (an unknown message type is logged and ignored). */
  const dispatch = async (
    channel: 'shell' | 'control',
    request: Message,
    seq: number,
  ): Promise<void> => {
    const type = request.header.msg_type;
    const content = request.content;
    switch (type) {
      case 'execute_request':
        if (channel === 'shell') await execute('shell', request, seq);
        else reply(channel, request, errorReply('BadRequest', 'execute_request on control'));
        return;
      case 'kernel_info_request':
        reply(channel, request, kernelInfo());
        return;
      case 'complete_request': {
        const code = text(content, 'code') ?? '';
        const cursor = cursorOf(content, code);
        const answer = await language.complete(code, cursor);
        const start = utf16ToCodePoints(code, answer.cursorStart);
        const end = utf16ToCodePoints(code, answer.cursorEnd);
        reply(channel, request, {
          status: 'ok',
          matches: [...answer.matches],
          cursor_start: start,
          cursor_end: end,
          metadata:
            answer.types === undefined
              ? {}
              : {
                  _jupyter_types_experimental: answer.types.map((t) => ({
                    start,
                    end,
                    text: t.text,
                    type: t.type,
                    ...(t.signature === undefined ? {} : { signature: t.signature }),
                  })),
                },
        });
        return;
      }
      case 'inspect_request': {
        const code = text(content, 'code') ?? '';
        const detail = integer(content, 'detail_level') ?? 0;
        const answer = await language.inspect(code, cursorOf(content, code), detail);
        reply(channel, request, {
          status: 'ok',
          found: answer.found,
          data: answer.found ? answer.data : {},
          metadata: {},
        });
        return;
      }
      case 'is_complete_request': {
        const answer = await language.isComplete(text(content, 'code') ?? '');
        reply(channel, request, { ...answer });
        return;
      }
      case 'history_request':
        reply(channel, request, historyReply(content));
        return;
      case 'comm_info_request':
        reply(channel, request, { status: 'ok', comms: {} });
        return;
      case 'comm_open': {
        // No comm targets: the spec says to close a comm we cannot open.
        const commId = text(content, 'comm_id');
        log('warn', `no comm target ${String(content['target_name'])}; closing comm`);
        if (commId !== undefined) publish('comm_close', { comm_id: commId, data: {} }, request);
        return;
      }
      case 'comm_msg':
      case 'comm_close':
        return;
      case 'interrupt_request':
        api.interrupt();
        reply(channel, request, { status: 'ok' });
        return;
      case 'shutdown_request': {
        const restart = content['restart'] === true;
        shuttingDown = true;
        api.interrupt();
        reply(channel, request, { status: 'ok', restart });
        publish('shutdown_reply', { status: 'ok', restart }, request);
        try {
          await language.shutdown();
        } catch (error) {
          log('error', `shutdown: ${error instanceof Error ? error.message : String(error)}`);
        }
        // The adapter is told after the idle status went out (see `handle`).
        shutdownRequested = restart;
        return;
      }
      default:
        log('warn', `unknown message type ${type.slice(0, 64)} on ${channel}; ignored`);
    }
  };

  const handle = async (channel: 'shell' | 'control', request: Message, seq: number) => {
    status('busy', request);
    try {
      await dispatch(channel, request, seq);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      log('error', `${request.header.msg_type} failed: ${text}`);
      if (request.header.msg_type.endsWith('_request')) {
        reply(channel, request, errorReply('KernelError', text));
      }
    } finally {
      status('idle', request);
      if (shutdownRequested !== undefined) options.onShutdown?.(shutdownRequested);
    }
  };

  const api: KernelHandler = {
    session,
    get executionCount() {
      return executionCount;
    },
    start: () => status('starting'),
    receive: (channel, request) => {
      if (channel === 'stdin') {
        // Only input replies travel this way; the value (maybe a secret) is never logged.
        // jupyter_client sends input_reply without a parent header: then it answers the one
        // pending request (a kernel has at most one, as only one cell runs at a time).
        const parentId = (request.parent_header as { msg_id?: unknown }).msg_id;
        const resolve =
          (typeof parentId === 'string' ? pendingInput.get(parentId) : undefined) ??
          (pendingInput.size === 1 ? [...pendingInput.values()][0] : undefined);
        if (request.header.msg_type !== 'input_reply' || resolve === undefined) {
          log('warn', `stdin: unexpected ${request.header.msg_type.slice(0, 64)}; ignored`);
        } else {
          const value = request.content['value'];
          resolve(typeof value === 'string' ? value : undefined);
        }
        return Promise.resolve();
      }
      if (shuttingDown && request.header.msg_type !== 'kernel_info_request') {
        log('info', `ignoring ${request.header.msg_type}: shutting down`);
        return Promise.resolve();
      }
      if (channel === 'control') return handle('control', request, 0);
      enqueued += 1;
      const seq = enqueued;
      if (aborting) abortThrough = seq;
      const run = () => handle('shell', request, seq);
      // With nothing ahead of it, a request starts now rather than a promise turn later, so a
      // cell's first upstream request leaves before the adapter goes back to its socket.
      const started = shellPending === 0 ? run() : shellQueue.then(run);
      shellPending += 1;
      const done = started.then(() => {
        shellPending -= 1;
      });
      shellQueue = done;
      return done;
    },
    interrupt: () => {
      if (running !== undefined) {
        log('info', 'interrupting the running cell');
        running.abort(new Error('interrupted'));
      }
    },
    drain: () => shellQueue,
  };
  return api;
}

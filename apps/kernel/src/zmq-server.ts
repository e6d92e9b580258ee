/**
 * The thin ZeroMQ adapter: binds the five sockets of a connection file, decodes and verifies
 * incoming frames, hands messages to the pure handler and writes its answers back, signed.
 * `zeromq` is loaded lazily, so importing this package never loads the native addon.
 *
 * @since 0.1.0
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import { endpoint, type ConnectionInfo, type PORT_NAMES } from './connection.js';
import type { KernelHandler, LogLevel, OutChannel } from './handler.js';
import { createSigner, type Signer } from './protocol/signer.js';
import type { Message } from './protocol/types.js';
import { decode, describeWireError, encodeFrames } from './protocol/wire.js';

/** Options of {@link startKernelServer}. @since 0.1.0 */
export interface KernelServerOptions {
  readonly connection: ConnectionInfo;
  /** Builds the handler once the server can send (the server passes its `send`). */
  readonly createHandler: (
    send: (channel: OutChannel, message: Message) => void,
    onShutdown: (restart: boolean) => void,
    whenShellSettled: (fn: () => void) => void,
  ) => KernelHandler;
  readonly log: (level: LogLevel, text: string) => void;
  /**
   * Log each message received and written at `debug` (default true); off, the adapter does not
   * even make those lines.
   */
  readonly traceMessages?: boolean;
}

/** A running kernel server. @since 0.1.0 */
export interface KernelServer {
  readonly handler: KernelHandler;
  /** The connection as bound: tcp ports given as 0 replaced by the ports the sockets got. */
  readonly connection: ConnectionInfo;
  /** Flushes pending messages and closes every socket. */
  close(): Promise<void>;
  /** Resolves once the server is closed (after a shutdown request or {@link close}). */
  readonly closed: Promise<void>;
}

/** Why the server cannot start. @since 0.1.0 */
export type ServerError =
  | { readonly _tag: 'UnsupportedScheme'; readonly scheme: string }
  | { readonly _tag: 'BindFailed'; readonly endpoint: string; readonly message: string };

/** A human sentence for a {@link ServerError}. @since 0.1.0 */
export function describeServerError(error: ServerError): string {
  return error._tag === 'UnsupportedScheme'
    ? `unsupported signature_scheme ${error.scheme} (use hmac-sha256)`
    : `cannot bind ${error.endpoint}: ${error.message}`;
}

interface Readable {
  receive(): Promise<Buffer[]>;
  readonly closed: boolean;
  /** Whether a message is waiting (zeromq's `ZMQ_EVENTS` has `POLLIN`). */
  readonly readable: boolean;
}

interface Writable {
  send(frames: (Buffer | string)[]): Promise<void>;
  close(): void;
}

/** Serialises sends: a zeromq 6 socket allows one pending send at a time. */
const sender = (socket: Writable, log: (level: LogLevel, text: string) => void) => {
  let queue: Promise<void> = Promise.resolve();
  return {
    send: (frames: (Buffer | string)[]) => {
      queue = queue
        .then(() => socket.send(frames))
        .catch((error: unknown) => log('error', `send failed: ${(error as Error).message}`));
    },
    flush: () => queue,
  };
};

/**
 * Binds the sockets of `connection` and serves the handler until shutdown.
 *
 * @since 0.1.0
 */
export async function startKernelServer(
  options: KernelServerOptions,
): Promise<E.Either<ServerError, KernelServer>> {
  const { connection, log } = options;
  const trace = options.traceMessages !== false;
  const signed = createSigner(connection.signature_scheme, connection.key);
  if (E.isLeft(signed)) return E.left(signed.left);
  const signer: Signer = signed.right;
  const zmq = await import('zeromq');

  const shell = new zmq.Router({ linger: 1000 });
  const control = new zmq.Router({ linger: 1000 });
  const stdin = new zmq.Router({ linger: 1000 });
  const iopub = new zmq.Publisher({ linger: 1000 });
  const hb = new zmq.Reply({ linger: 0 });
  const all = [shell, control, stdin, iopub, hb];
  const bindings: [
    { bind(address: string): Promise<void>; readonly lastEndpoint: string | null },
    (typeof PORT_NAMES)[number],
  ][] = [
    [shell, 'shell_port'],
    [control, 'control_port'],
    [stdin, 'stdin_port'],
    [iopub, 'iopub_port'],
    [hb, 'hb_port'],
  ];
  const bound: Record<string, number | string> = {};
  for (const [socket, name] of bindings) {
    const address = endpoint(connection, connection[name]);
    try {
      await socket.bind(address);
    } catch (error) {
      for (const s of all) s.close();
      return E.left({ _tag: 'BindFailed', endpoint: address, message: (error as Error).message });
    }
    // Port 0 (`tcp://ip:*`): the port the socket got, from its endpoint.
    const got = /:(\d+)$/.exec(socket.lastEndpoint ?? '')?.[1];
    bound[name] = connection[name] === 0 && got !== undefined ? Number(got) : connection[name];
  }
  const boundConnection: ConnectionInfo = { ...connection, ...bound };

  const out = {
    shell: sender(shell, log),
    control: sender(control, log),
    stdin: sender(stdin, log),
    iopub: sender(iopub, log),
  };
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  // Every message is encoded, signed and handed to its socket as the handler sends it, so the
  // order across channels is the handler's (a result before its reply, idle after it). Deferring
  // IOPub to the next turn was measured slower: the code that just verified the request is warm
  // for `busy` and `execute_input` now, and a reply and its `idle` share the I/O thread's wake-up.
  const write = (channel: OutChannel, message: Message): void => {
    if (trace) log('debug', `${channel} ← ${message.header.msg_type}`);
    try {
      out[channel].send(encodeFrames(message, signer));
    } catch (error) {
      log('error', `cannot encode ${message.header.msg_type}: ${(error as Error).message}`);
    }
  };
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await Promise.all(Object.values(out).map((s) => s.flush()));
      for (const socket of all) socket.close();
      resolveClosed();
    })();
    return closing;
  };

  // `whenShellSettled`: callbacks run once the shell loop has handed over every message that was
  // waiting on the socket (stop_on_error aborts what a client sent before it saw the error).
  const settledWaiters: (() => void)[] = [];
  let shellParkedEmpty = false;
  const whenShellSettled = (fn: () => void) => {
    if (shellParkedEmpty && !shell.readable) fn();
    else settledWaiters.push(fn);
  };
  const handler = options.createHandler(write, () => void close(), whenShellSettled);

  const serve = async (channel: 'shell' | 'control', socket: Readable): Promise<void> => {
    const isShell = channel === 'shell';
    try {
      // `receive()` in a plain loop: one promise a message, where zeromq.js's async iterator
      // wraps each in two more.
      while (!socket.closed) {
        if (isShell) {
          const empty = !socket.readable;
          if (empty && settledWaiters.length > 0) for (const fn of settledWaiters.splice(0)) fn();
          shellParkedEmpty = empty;
        }
        const frames = await socket.receive();
        if (isShell) shellParkedEmpty = false;
        const decoded = decode(frames, signer);
        if (E.isLeft(decoded)) {
          log('warn', `${channel}: ${describeWireError(decoded.left)}`);
          continue;
        }
        if (trace) log('debug', `${channel}: ${decoded.right.header.msg_type}`);
        // Not awaited: the handler queues shell requests and answers control ones at once.
        void handler.receive(channel, decoded.right);
      }
    } catch (error) {
      if (closing === undefined) log('error', `${channel} socket: ${(error as Error).message}`);
    }
  };
  const heartbeat = async (): Promise<void> => {
    try {
      for await (const frames of hb) await hb.send(frames);
    } catch (error) {
      if (closing === undefined) log('error', `heartbeat: ${(error as Error).message}`);
    }
  };
  const serveStdin = async (): Promise<void> => {
    try {
      while (!stdin.closed) {
        const frames = await stdin.receive();
        const decoded = decode(frames, signer);
        if (E.isLeft(decoded)) {
          log('warn', `stdin: ${describeWireError(decoded.left)}`);
          continue;
        }
        void handler.receive('stdin', decoded.right);
      }
    } catch (error) {
      if (closing === undefined) log('error', `stdin socket: ${(error as Error).message}`);
    }
  };
  void serve('shell', shell);
  void serve('control', control);
  void heartbeat();
  void serveStdin();

  handler.start();
  return E.right({ handler, connection: boundConnection, close, closed });
}

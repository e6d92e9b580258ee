/**
 * The connection file Jupyter writes for a kernel: transport, ip, five ports, signature scheme and
 * key. Read and checked into a tagged error, never a throw.
 *
 * @since 0.1.0
 * @module
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';

/** A checked connection file. @since 0.1.0 */
export interface ConnectionInfo {
  readonly transport: 'tcp' | 'ipc';
  readonly ip: string;
  readonly shell_port: number | string;
  readonly iopub_port: number | string;
  readonly stdin_port: number | string;
  readonly control_port: number | string;
  readonly hb_port: number | string;
  readonly signature_scheme: string;
  readonly key: string;
}

/** Why a connection file cannot be used. @since 0.1.0 */
export type ConnectionError =
  | { readonly _tag: 'Unreadable'; readonly path: string; readonly message: string }
  | { readonly _tag: 'Invalid'; readonly path: string; readonly message: string }
  | { readonly _tag: 'Unwritable'; readonly path: string; readonly message: string };

const PORTS = ['shell_port', 'iopub_port', 'stdin_port', 'control_port', 'hb_port'] as const;

/** Checks a parsed connection file. @since 0.1.0 */
export function parseConnection(
  path: string,
  value: unknown,
): E.Either<ConnectionError, ConnectionInfo> {
  const invalid = (message: string) => E.left<ConnectionError>({ _tag: 'Invalid', path, message });
  if (typeof value !== 'object' || value === null) return invalid('not a JSON object');
  const v = value as Record<string, unknown>;
  const transport = v['transport'] ?? 'tcp';
  if (transport !== 'tcp' && transport !== 'ipc')
    return invalid(`unknown transport ${String(transport)}`);
  const ip = v['ip'] ?? '127.0.0.1';
  if (typeof ip !== 'string' || ip === '') return invalid('ip must be a string');
  for (const port of PORTS) {
    const p = v[port];
    // tcp port 0: the kernel binds a free port and writes it back (see `writeBoundPorts`).
    const ok =
      transport === 'tcp'
        ? typeof p === 'number' && Number.isInteger(p) && p >= 0 && p < 65536
        : (typeof p === 'number' || typeof p === 'string') && String(p) !== '';
    if (!ok) return invalid(`${port} is missing or not a valid port`);
  }
  const key = v['key'] ?? '';
  if (typeof key !== 'string') return invalid('key must be a string');
  const scheme = v['signature_scheme'] ?? 'hmac-sha256';
  if (typeof scheme !== 'string') return invalid('signature_scheme must be a string');
  return E.right({
    transport,
    ip,
    shell_port: v['shell_port'] as number,
    iopub_port: v['iopub_port'] as number,
    stdin_port: v['stdin_port'] as number,
    control_port: v['control_port'] as number,
    hb_port: v['hb_port'] as number,
    signature_scheme: scheme,
    key,
  });
}

/** Reads and checks a connection file. @since 0.1.0 */
export async function readConnectionFile(
  path: string,
): Promise<E.Either<ConnectionError, ConnectionInfo>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return E.left({ _tag: 'Unreadable', path, message: (error as Error).message });
  }
  try {
    return parseConnection(path, JSON.parse(text));
  } catch (error) {
    return E.left({ _tag: 'Invalid', path, message: (error as Error).message });
  }
}

/**
 * The ZeroMQ endpoint of one channel (`tcp://ip:port`, or `ipc://ip-port` as Jupyter names them);
 * tcp port 0 is `tcp://ip:*`, any free port.
 *
 * @since 0.1.0
 */
export function endpoint(info: ConnectionInfo, port: number | string): string {
  if (info.transport !== 'tcp') return `ipc://${info.ip}-${port}`;
  return `tcp://${info.ip}:${port === 0 ? '*' : port}`;
}

/** The names of the five port fields of a connection file. @since 0.1.0 */
export const PORT_NAMES = PORTS;

/** Whether a connection file leaves some tcp port to the kernel (port 0). @since 0.1.0 */
export function hasFreePorts(info: ConnectionInfo): boolean {
  return info.transport === 'tcp' && PORTS.some((name) => info[name] === 0);
}

/**
 * Writes the ports a kernel bound back into its connection file, keeping every other field, as
 * ipykernel does when its file leaves ports at 0: the file is replaced whole (written aside, then
 * renamed), so a client polling it never reads half a file.
 *
 * @since 0.1.0
 */
export async function writeBoundPorts(
  path: string,
  bound: ConnectionInfo,
): Promise<E.Either<ConnectionError, void>> {
  try {
    const original: unknown = JSON.parse(await readFile(path, 'utf8'));
    const merged = {
      ...(typeof original === 'object' && original !== null ? original : {}),
      ...Object.fromEntries(PORTS.map((name) => [name, bound[name]])),
    };
    const aside = `${path}.${process.pid}.tmp`;
    await writeFile(aside, `${JSON.stringify(merged, null, 2)}\n`, { mode: 0o600 });
    await rename(aside, path);
    return E.right(undefined);
  } catch (error) {
    return E.left({ _tag: 'Unwritable', path, message: (error as Error).message });
  }
}

/** A human sentence for a {@link ConnectionError}. @since 0.1.0 */
export function describeConnectionError(error: ConnectionError): string {
  switch (error._tag) {
    case 'Unreadable':
      return `cannot read the connection file ${error.path}: ${error.message}`;
    case 'Invalid':
      return `invalid connection file ${error.path}: ${error.message}`;
    case 'Unwritable':
      return `cannot write the bound ports into ${error.path}: ${error.message}`;
  }
}

/**
 * The process surface every command uses, passed in so commands can be driven in tests:
 * standard streams, environment, working directory.
 */
import type { Readable, Writable } from 'node:stream';

/** Standard streams and environment of one CLI invocation. */
export interface CliIo {
  readonly stdin: Readable & { isTTY?: boolean | undefined };
  readonly stdout: Writable & { isTTY?: boolean | undefined; columns?: number | undefined };
  readonly stderr: Writable & { isTTY?: boolean | undefined; columns?: number | undefined };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** Exit codes: 0 ok, 1 upstream or runtime error, 2 invalid query or usage. */
export const EXIT = { ok: 0, runtime: 1, invalid: 2 } as const;

/** The real process's {@link CliIo}. */
export function processIo(): CliIo {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Writes `text` and a line break to a stream. */
export function println(stream: Writable, text = ''): void {
  stream.write(`${text}\n`);
}

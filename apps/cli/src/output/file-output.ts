/**
 * Writing a result to a file (`baql run --out`, the REPL's `> file` and `\o file`) so that a
 * failure never costs the user an existing file: rows go to a temporary file beside the target,
 * which takes the target's place only when the query has succeeded. The target's folder must
 * exist (no directory is ever created), and every problem is a one-line {@link OutputFileError}.
 */
import { once } from 'node:events';
import { chmodSync, createWriteStream, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import type { Stats, WriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

/** A file that cannot be written: `cannot write <path>: <reason>`. */
export class OutputFileError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`cannot write ${path}: ${reason}`);
    this.name = 'OutputFileError';
  }
}

/** A result file being written; nothing replaces the target before {@link FileOutput.commit}. */
export interface FileOutput {
  /** Where the rows go. */
  readonly stream: Writable;
  /** The first write error, once one has happened. */
  readonly failure: OutputFileError | undefined;
  /** Calls `listener` on the first write error (to stop the query early). */
  onFailure(listener: (error: OutputFileError) => void): void;
  /** Flushes the rows and puts the file in the target's place; throws {@link OutputFileError}. */
  commit(): Promise<void>;
  /** Drops what was written; the target stays as it was. */
  discard(): void;
}

/**
 * Opens `path` (as the user wrote it, for messages) at `fullPath` for writing. Resolves once the
 * file is open; rejects with {@link OutputFileError} when the folder is missing, the target is a
 * directory, or the file cannot be created.
 */
export async function openFileOutput(path: string, fullPath: string): Promise<FileOutput> {
  const target = writableTarget(path, fullPath);
  // A device or pipe (`/dev/stdout`) is written in place: there is nothing to replace.
  if (target.existing !== undefined && !target.existing.isFile()) {
    return inPlaceOutput(path, await openStream(path, target.path, 'w'));
  }
  const tempPath = join(
    dirname(target.path),
    `.${basename(target.path)}.${process.pid}-${Math.random().toString(36).slice(2, 8)}.tmp`,
  );
  const stream = await openStream(path, tempPath, 'wx');
  return replacingOutput(path, stream, tempPath, target);
}

/**
 * Checks that `fullPath` can be a result file — its folder exists and it is not a directory —
 * and throws {@link OutputFileError} (naming `path`) when not. Nothing is created.
 */
export function checkOutputPath(path: string, fullPath: string): void {
  writableTarget(path, fullPath);
}

interface Target {
  /** The real path to write (a symbolic link's destination). */
  readonly path: string;
  /** The file there now, if any. */
  readonly existing: Stats | undefined;
}

function writableTarget(path: string, fullPath: string): Target {
  const existing = statOrUndefined(fullPath);
  if (existing?.isDirectory()) throw new OutputFileError(path, 'it is a directory');
  if (existing !== undefined) return { path: realpathSync(fullPath), existing };
  const folder = dirname(fullPath);
  const parent = statOrUndefined(folder);
  if (parent === undefined) throw new OutputFileError(path, `no such directory ${folder}`);
  if (!parent.isDirectory()) throw new OutputFileError(path, `${folder} is not a directory`);
  return { path: fullPath, existing: undefined };
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

async function openStream(path: string, file: string, flags: string): Promise<WriteStream> {
  const stream = createWriteStream(file, { flags });
  try {
    await once(stream, 'open');
  } catch (error) {
    throw new OutputFileError(path, reasonOf(error));
  }
  return stream;
}

/** Tracks the first write error of `stream`, so none is ever left unhandled. */
function failureTracker(path: string, stream: Writable) {
  let failure: OutputFileError | undefined;
  const listeners: ((error: OutputFileError) => void)[] = [];
  stream.on('error', (error) => {
    if (failure !== undefined) return;
    failure = new OutputFileError(path, reasonOf(error));
    for (const listener of listeners) listener(failure);
  });
  return {
    get failure() {
      return failure;
    },
    onFailure: (listener: (error: OutputFileError) => void) => listeners.push(listener),
    /** Ends the stream and waits for the data to be written; throws the first failure. */
    async finish(): Promise<void> {
      if (failure === undefined) {
        stream.end();
        await finished(stream).catch(() => undefined);
      }
      if (failure !== undefined) throw failure;
    },
  };
}

function replacingOutput(
  path: string,
  stream: WriteStream,
  tempPath: string,
  target: Target,
): FileOutput {
  const tracker = failureTracker(path, stream);
  const discard = () => {
    stream.destroy();
    rmSync(tempPath, { force: true });
  };
  return {
    stream,
    get failure() {
      return tracker.failure;
    },
    onFailure: tracker.onFailure,
    async commit() {
      try {
        await tracker.finish();
        if (target.existing !== undefined) chmodSync(tempPath, target.existing.mode & 0o7777);
        renameSync(tempPath, target.path);
      } catch (error) {
        discard();
        throw error instanceof OutputFileError ? error : new OutputFileError(path, reasonOf(error));
      }
    },
    discard,
  };
}

function inPlaceOutput(path: string, stream: WriteStream): FileOutput {
  const tracker = failureTracker(path, stream);
  return {
    stream,
    get failure() {
      return tracker.failure;
    },
    onFailure: tracker.onFailure,
    commit: () => tracker.finish(),
    discard: () => stream.destroy(),
  };
}

function isCode(error: unknown, code: string): boolean {
  return (error as { code?: unknown } | undefined)?.code === code;
}

/** `EACCES: permission denied, open '/x/.y.tmp'` → `permission denied` (no temporary path). */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^[A-Z]+: /, '').replace(/, \w+(?: '.*')?$/, '');
}

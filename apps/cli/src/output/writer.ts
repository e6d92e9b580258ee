/**
 * A buffered text writer over a Node stream: joins small writes into ~64 KiB chunks and respects
 * back-pressure, so streaming 100k rows costs a few hundred `write` calls, not 100k.
 */
import type { Writable } from 'node:stream';

/** Where renderers write text. */
export interface TextWriter {
  /** Queues `text`; resolves only when the buffer had to be flushed into a full stream. */
  write(text: string): void | Promise<void>;
  /** Flushes what is buffered. */
  flush(): Promise<void>;
}

/** A {@link TextWriter} over `stream` that flushes every `chunkSize` characters (default 64 Ki). */
export function streamWriter(stream: Writable, chunkSize = 65536): TextWriter {
  let buffer = '';
  const push = (): void | Promise<void> => {
    const chunk = buffer;
    buffer = '';
    if (chunk.length === 0 || stream.destroyed || stream.write(chunk)) return undefined;
    // A stream that failed on this write will never drain: its owner reports the error.
    if (stream.destroyed) return undefined;
    return new Promise<void>((resolve) => {
      const done = () => {
        stream.off('drain', done);
        stream.off('error', done);
        stream.off('close', done);
        resolve();
      };
      stream.on('drain', done);
      stream.on('error', done);
      stream.on('close', done);
    });
  };
  return {
    write(text) {
      buffer += text;
      return buffer.length >= chunkSize ? push() : undefined;
    },
    async flush() {
      await push();
    },
  };
}

/** A {@link TextWriter} that collects everything into a string (tests, the pager). */
export function stringWriter(): TextWriter & { text(): string } {
  const parts: string[] = [];
  return {
    write(text) {
      parts.push(text);
    },
    async flush() {},
    text: () => parts.join(''),
  };
}

/**
 * The progress line shown while a query fetches: pages, records, requests done/total and elapsed
 * time, redrawn in place on stderr at most ten times a second and erased when the query ends.
 * It draws only when its stream is a TTY, so pipes and files stay clean.
 */

import type { ProgressEvent } from '@baql/core';

/** A progress event as `@baql/core` reports it. */
export type { ProgressEvent };

/** The minimal stream the progress line needs. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
  readonly columns?: number | undefined;
}

/** A live progress line. */
export interface ProgressLine {
  /** Records the latest event and redraws (throttled). */
  update(event: ProgressEvent): void;
  /** Erases the line for now (output is about to be printed); the next update redraws it. */
  clear(): void;
  /** Erases the line; later updates are ignored. */
  done(): void;
}

const SPINNER = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
const group = (n: number) => n.toLocaleString('en-US');

/** The text of one progress line (exported for tests). */
export function progressText(event: ProgressEvent, frame = 0): string {
  const parts = [
    `${group(event.pages)} page${event.pages === 1 ? '' : 's'}`,
    `${group(event.records)} records`,
    `requests ${event.requestsDone}/${event.requestsTotal}`,
  ];
  if (event.retries > 0) parts.push(`${event.retries} retries`);
  parts.push(`${(event.elapsedMs / 1000).toFixed(1)}s`);
  return `${SPINNER[frame % SPINNER.length]} ${parts.join(' · ')}  (Ctrl-C cancels)`;
}

/** A progress line on `stream`; a no-op unless `stream.isTTY` (or `force`). */
export function createProgressLine(
  stream: ProgressStream,
  options: { force?: boolean; intervalMs?: number } = {},
): ProgressLine {
  if (!stream.isTTY && !options.force) return { update() {}, clear() {}, done() {} };
  const interval = options.intervalMs ?? 100;
  let last = 0;
  let frame = 0;
  let shown = false;
  let finished = false;
  return {
    update(event) {
      if (finished) return;
      const now = Date.now();
      if (shown && now - last < interval) return;
      last = now;
      frame += 1;
      const width = Math.max(20, (stream.columns ?? 80) - 1);
      stream.write(`\r\x1b[2K${progressText(event, frame).slice(0, width)}`);
      shown = true;
    },
    clear() {
      if (shown && !finished) stream.write('\r\x1b[2K');
      shown = false;
    },
    done() {
      if (shown && !finished) stream.write('\r\x1b[2K');
      shown = false;
      finished = true;
    },
  };
}

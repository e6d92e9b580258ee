/**
 * Tiny measurement helpers for `npm run bench`. Every figure is printed beside a baseline measured
 * in the same run, because machines are shared and noisy: ratios are comparable, absolutes are not.
 */

/** One line of the bench report. */
export interface BenchLine {
  /** What was measured, e.g. `parse (baql) vs lucene`. */
  readonly name: string;
  /** The measured value of baql. */
  readonly value: number;
  /** The baseline value measured in the same run. */
  readonly baseline: number;
  /** Unit of both values, e.g. `ops/s`, `ms`, `MB`. */
  readonly unit: string;
  /** The target, in words, e.g. `≥ 5×`. */
  readonly target: string;
  /** Whether the target holds for this run. */
  readonly met: boolean;
  /** The printed ratio (value / baseline unless `ratio` is given). */
  readonly ratio?: number;
}

/** A bench suite: a module in `src/suites/` whose default export runs and returns its lines. */
export type BenchSuite = () => Promise<readonly BenchLine[]>;

/** Runs `fn` repeatedly for about `ms` milliseconds (after a warm-up) and returns operations per second. */
export async function opsPerSecond(fn: () => unknown, ms = 1000): Promise<number> {
  const warmUntil = performance.now() + Math.min(200, ms / 4);
  while (performance.now() < warmUntil) await fn();
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    await fn();
    ops += 1;
    now = performance.now();
  }
  return (ops * 1000) / (now - start);
}

/** The median of `runs` timings of `fn`, in milliseconds. */
export async function medianMs(fn: () => unknown, runs = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

/** Formats a report line: value, baseline, ratio and whether the target was met. */
export function formatLine(line: BenchLine): string {
  const ratio = line.ratio ?? line.value / line.baseline;
  const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3));
  return `${line.met ? 'ok  ' : 'MISS'} ${line.name}: ${fmt(line.value)} ${line.unit} vs baseline ${fmt(line.baseline)} ${line.unit} = ${ratio.toFixed(2)}× (target ${line.target})`;
}

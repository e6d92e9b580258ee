import { describe, expect, it } from 'vitest';
import { formatLine, medianMs, opsPerSecond } from './measure.js';

describe('bench measure helpers', () => {
  it('counts operations per second of a busy function', async () => {
    const ops = await opsPerSecond(() => Math.sqrt(2), 50);
    expect(ops).toBeGreaterThan(1000);
  });
  it('takes the median of timings', async () => {
    let i = 0;
    const delays = [1, 30, 2];
    const ms = await medianMs(() => new Promise((r) => setTimeout(r, delays[i++ % 3])), 3);
    expect(ms).toBeGreaterThanOrEqual(1.5);
    expect(ms).toBeLessThan(30);
  });
  it('formats a line with its ratio and verdict', () => {
    const text = formatLine({
      name: 'x',
      value: 50,
      baseline: 10,
      unit: 'ops/s',
      target: '≥ 5×',
      met: true,
    });
    expect(text).toBe('ok   x: 50.0 ops/s vs baseline 10.0 ops/s = 5.00× (target ≥ 5×)');
  });
});

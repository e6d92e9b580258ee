import { opsPerSecond, type BenchLine } from '../measure.js';

/** A self-check of the harness: JSON round trip of a small record against itself (ratio ≈ 1). */
export default async function harness(): Promise<readonly BenchLine[]> {
  const record = { eventId: 'login', guid: 'x', timeStamp: new Date(0).toISOString() };
  const value = await opsPerSecond(() => JSON.parse(JSON.stringify(record)), 300);
  const baseline = await opsPerSecond(() => JSON.parse(JSON.stringify(record)), 300);
  const ratio = value / baseline;
  return [
    {
      name: 'harness self-check (json round trip)',
      value,
      baseline,
      unit: 'ops/s',
      target: '≈ 1×',
      met: ratio > 0.5 && ratio < 2,
      ratio,
    },
  ];
}

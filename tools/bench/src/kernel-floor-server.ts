/**
 * The floor under the kernel bench: a process that does the least any kernel must — verify a
 * signed `execute_request`, run its query through `@baql/core` on an embedded sandbox of its own,
 * answer with one small signed reply — and nothing else: no IOPub, no status, no tables. Its round
 * trip over the same ZeroMQ transport shows how much of the kernel's ratio is the process
 * boundary itself rather than the kernel. Started by the kernel suite (a child with an IPC
 * channel): it sends `{ endpoint }` once bound and exits when the channel closes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { openSession } from '@baql/runtime';
import { Router } from 'zeromq';

const key = process.env['BAQL_BENCH_KEY'] ?? '';
const sandbox = JSON.parse(process.env['BAQL_BENCH_SANDBOX'] ?? '{}') as Record<string, unknown>;
const sign = (parts: readonly Buffer[] | readonly string[]): string => {
  const hmac = createHmac('sha256', key);
  for (const part of parts) hmac.update(part);
  return hmac.digest('hex');
};

const session = await openSession({ profile: 'sandbox', sandbox });
const router = new Router({ linger: 0 });
await router.bind('tcp://127.0.0.1:*');
process.send?.({ endpoint: router.lastEndpoint });
process.on('disconnect', () => {
  router.close();
  void session.close().finally(() => process.exit(0));
});

let n = 0;
for (;;) {
  const frames = await router.receive().catch(() => undefined);
  if (frames === undefined) break;
  const at = frames.findIndex((f) => f.toString() === '<IDS|MSG>');
  if (at < 0) continue;
  const signed = frames.slice(at + 2, at + 6);
  const given = Buffer.from(frames[at + 1]?.toString() ?? '', 'latin1');
  const expected = Buffer.from(sign(signed), 'latin1');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) continue;
  const header = JSON.parse(signed[0]?.toString() ?? '{}') as Record<string, unknown>;
  const content = JSON.parse(signed[3]?.toString() ?? '{}') as { code?: string };
  const result = await session.client.query(content.code ?? '');
  n += 1;
  const parts = [
    JSON.stringify({ ...header, msg_id: `floor_${n}`, msg_type: 'execute_reply' }),
    JSON.stringify(header),
    '{}',
    JSON.stringify({ status: 'ok', execution_count: n, rows: result.rows.length }),
  ];
  await router.send([...frames.slice(0, at), '<IDS|MSG>', sign(parts), ...parts]);
}

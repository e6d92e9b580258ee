/**
 * Bench of `@baql/core` (issue 5). Every figure beside a baseline measured in the same run:
 *
 * 1. Client overhead: `client.stream` (slicing off, so only the client's own work differs) vs a
 *    minimal hand-written fetch + JSON.parse paging loop, same sandbox query (target ≤ 1.15×).
 * 2. An 8-user OR query vs a single-user query with 100 ms injected latency (target ≤ 1.5×).
 * 3. A 90-day all-events scan with 100 ms injected latency, sliced vs unsliced at concurrency 8,
 *    pages of 50 on a 5 000-event sandbox (target ≥ 4× faster, identical rows), with the pages,
 *    the requests in flight on average and the median request time of each side.
 * 4. Peak RSS of the client while streaming 1M records through `| count by type` (target
 *    < 200 MB). The 1M records come from a synthetic contract server (token + paged search that
 *    honours the window, in its own process): generating 1M events in the sandbox takes minutes.
 * 5. Token requests made by 100 concurrent queries on one client (target 1; baseline: one per
 *    query, as a client without single-flight does).
 *
 * The sandbox runs in a child process so the client does not share its CPU or heap.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createClient, type ClientOptions, type TransportMiddleware } from '@baql/core';
import { medianMs, type BenchLine } from '../measure.js';

const here = dirname(fileURLToPath(import.meta.url));

interface Child {
  readonly info: {
    url: string;
    clientId: string;
    clientSecret: string;
    institutionId: string;
    users: string[];
    end: string;
  };
  send(line: string): Promise<void>;
  close(): void;
}

function startChild(script: string): Promise<Child> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: here,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const lines: Interface = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    let err = '';
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    const waiting: (() => void)[] = [];
    const timer = setTimeout(
      () => reject(new Error(`bench server did not start: ${err.slice(-300)}`)),
      120_000,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench server exited with ${code}: ${err.slice(-300)}`));
    });
    let started = false;
    lines.on('line', (line) => {
      if (!started) {
        started = true;
        clearTimeout(timer);
        resolve({
          info: JSON.parse(line) as Child['info'],
          send: (l) =>
            new Promise<void>((res) => {
              waiting.push(res);
              child.stdin?.write(`${l}\n`);
            }),
          close: () => child.kill(),
        });
      } else waiting.shift()?.();
    });
  });
}

const sandboxScript = (events: number): string => `
import { startSandbox } from '@baql/sandbox';
import { createInterface } from 'node:readline';
const sb = await startSandbox({ port: 0, events: ${events}, seed: 7 });
process.stdout.write(JSON.stringify({ url: sb.url, clientId: sb.clientId, clientSecret: sb.clientSecret,
  institutionId: sb.institutionId, users: sb.users.map((u) => u.loginId), end: sb.dataRange.end }) + '\\n');
createInterface({ input: process.stdin }).on('line', (l) => { sb.setFaults(JSON.parse(l)); process.stdout.write('ok\\n'); });
`;

/**
 * A minimal contract server: 1M user events over 30 days, newest first, paged; the window and
 * `requestedAttributes` are honoured as the API does.
 */
const SYNTHETIC = `
import { createServer } from 'node:http';
const N = 1000000, END = Date.parse('2026-11-01T00:00:00.000Z'), STEP = Math.floor((30 * 86400000) / N);
const TYPES = ['login', 'logout', 'transfer', 'billPay', 'mfaChallenge'];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    if (req.url === '/oauth2/v1/token') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ access_token: 'synthetic-token-123456', expires_in: '3600', token_type: 'Bearer' }));
    }
    const c = JSON.parse(body);
    const lo = Math.max(0, Math.ceil((END - Date.parse(c.endTime)) / STEP));
    const hi = Math.min(N - 1, Math.floor((END - Date.parse(c.startTime)) / STEP));
    const from = c.nextPageToken ? Number(Buffer.from(c.nextPageToken, 'base64url').toString()) : lo;
    const size = Math.min(c.pageSize || 1000, 1000);
    const to = Math.min(hi + 1, from + size);
    if (to <= from) { res.writeHead(204); return res.end(); }
    const want = c.requestedAttributes && c.requestedAttributes.length > 0 ? new Set(c.requestedAttributes.map((a) => a.toLowerCase())) : undefined;
    const acts = [];
    for (let i = from; i < to; i++) {
      const r = { eventid: TYPES[i % 5], timestamp: new Date(END - i * STEP).toISOString(),
        guid: String(N - i).padStart(8, '0') + '-0000-1000-8000-000000000000', reqctx_id: String(i), reqctx_loginid: 'user' + (i % 997),
        channel: i % 3 ? 'ONLINE' : 'MOBILE', result: 'Success' };
      if (want) for (const k of Object.keys(r)) if (!want.has(k) && k !== 'timestamp' && k !== 'guid' && k !== 'eventid') delete r[k];
      acts.push(r);
    }
    const out = { count: acts.length, bankingActivities: acts };
    if (to <= hi) out.nextPageToken = Buffer.from(String(to)).toString('base64url');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(out));
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ url: 'http://127.0.0.1:' + server.address().port,
  clientId: 'synthetic', clientSecret: 'synthetic-secret', institutionId: '00016', users: [], end: new Date(END).toISOString() }) + '\\n'));
`;

/** A client process that streams the synthetic 1M records and prints its RSS before and at peak. */
function rssProbe(info: Child['info']): string {
  return `
import { createClient } from '@baql/core';
const client = createClient(${JSON.stringify({ baseUrl: info.url, clientId: info.clientId, clientSecret: info.clientSecret, institutionId: info.institutionId })});
const before = process.memoryUsage().rss;
let peak = before;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
const result = await client.query('kind:user since 30d | count by type', { now: new Date(${Date.parse(info.end) + 1000}) });
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage().rss);
const total = result.rows.reduce((n, r) => n + Number(r.count), 0);
process.stdout.write(JSON.stringify({ before, peak, total, pages: result.summary.pages }) + '\\n');
await client.close();
`;
}

/** The hand-written baseline: token, then POST pages with fetch + JSON.parse until no token. */
async function rawLoop(info: Child['info'], criteria: Record<string, unknown>): Promise<number> {
  const tokenRes = await fetch(`${info.url}/oauth2/v1/token`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from(`${info.clientId}:${info.clientSecret}`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
      transactionId: crypto.randomUUID(),
      institutionId: info.institutionId,
    },
    body: 'grant_type=client_credentials',
  });
  const token = ((await tokenRes.json()) as { access_token: string }).access_token;
  let next: string | undefined;
  let n = 0;
  do {
    const res = await fetch(`${info.url}/v1/banking-activities`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        transactionId: crypto.randomUUID(),
      },
      body: JSON.stringify({
        ...criteria,
        pageSize: 1000,
        ...(next === undefined ? {} : { nextPageToken: next }),
      }),
    });
    if (res.status === 204) break;
    const page = JSON.parse(await res.text()) as {
      nextPageToken?: string;
      bankingActivities: unknown[];
    };
    n += page.bankingActivities.length;
    next = page.nextPageToken;
  } while (next !== undefined);
  return n;
}

/**
 * Search requests in flight, time-weighted, and the median request time (a transport middleware:
 * retries count as requests).
 */
function inFlightProbe() {
  let active = 0;
  let area = 0;
  let since = performance.now();
  let start = since;
  const started = new Map<string, number>();
  let times: number[] = [];
  const tick = () => {
    const now = performance.now();
    area += active * (now - since);
    since = now;
  };
  const isSearch = (url: string) => url.includes('/v1/banking-activities');
  const middleware: TransportMiddleware = {
    name: 'bench-probe',
    before(request) {
      if (!isSearch(request.url)) return;
      tick();
      active += 1;
      started.set(`${request.transactionId}:${request.attempt}`, performance.now());
    },
    after(request) {
      if (!isSearch(request.url)) return;
      tick();
      active -= 1;
      const key = `${request.transactionId}:${request.attempt}`;
      const at = started.get(key);
      started.delete(key);
      if (at !== undefined) times.push(performance.now() - at);
    },
  };
  return {
    middleware,
    /** The figures since the last reset, and starts again. */
    reset(): { average: number; median: number } {
      tick();
      const sorted = [...times].sort((a, b) => a - b);
      const out = {
        average: area / Math.max(1, since - start),
        median: sorted[Math.floor(sorted.length / 2)] ?? 0,
      };
      area = 0;
      start = since;
      times = [];
      return out;
    },
  };
}

export default async function core(): Promise<readonly BenchLine[]> {
  const lines: BenchLine[] = [];
  const sb = await startChild(sandboxScript(15_000));
  const info = sb.info;
  const options: ClientOptions = {
    baseUrl: info.url,
    clientId: info.clientId,
    clientSecret: info.clientSecret,
    institutionId: info.institutionId,
  };
  const now = new Date(Date.parse(info.end) + 1000);
  try {
    // 1. Client overhead vs the hand-written loop (same criteria: the plan of the query).
    {
      const client = createClient({ ...options, slicing: false });
      const text = 'kind:user since 89d';
      const criteria = client.compile(text, { now }).requests[0] as unknown as Record<
        string,
        unknown
      >;
      let rows = 0;
      let raw = 0;
      const viaClient = async () => {
        rows = 0;
        for await (const _ of client.stream(text, { now })) rows += 1;
      };
      const viaLoop = async () => {
        raw = await rawLoop(info, criteria);
      };
      await viaClient();
      await viaLoop();
      // Interleaved A-B-B-A so drift in a shared machine's load hits both sides alike.
      const times: [number[], number[]] = [[], []];
      for (let i = 0; i < 4; i += 1) {
        const order = i % 2 === 0 ? [0, 1] : [1, 0];
        for (const side of order)
          times[side as 0 | 1].push(await medianMs(side === 0 ? viaClient : viaLoop, 1));
      }
      const med = (xs: number[]) =>
        [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
      const value = med(times[0]);
      const baseline = med(times[1]);
      lines.push({
        name: `client overhead, ${rows} records (${raw} by the loop), stream vs fetch+JSON.parse loop`,
        value,
        baseline,
        unit: 'ms',
        target: '≤ 1.15×',
        met: rows === raw && value / baseline <= 1.15,
      });
      await client.close();
    }
    await sb.send(JSON.stringify({ latencyMs: 100 }));
    // 2. 8-user OR query vs one user, 100 ms latency.
    {
      const client = createClient(options);
      const users = info.users.slice(0, 8);
      const eight = `user:(${users.join(' OR ')}) since 7d`;
      const one = `user:${users[0] ?? ''} since 7d`;
      const requests = client.compile(eight, { now }).requests.length;
      await client.query(one, { now });
      const value = await medianMs(() => client.query(eight, { now }), 5);
      const baseline = await medianMs(() => client.query(one, { now }), 5);
      lines.push({
        name: `8-user OR query (${requests} requests) vs 1 user, 100 ms latency`,
        value,
        baseline,
        unit: 'ms',
        target: '≤ 1.5×',
        met: value / baseline <= 1.5,
      });
      await client.close();
    }
    // 3. 90-day all-events scan, sliced vs unsliced, 100 ms latency, concurrency 8, on a smaller
    //    sandbox with pages of 50: the local sandbox spends ~0.1 ms of CPU per record it serves
    //    on one thread (the real API's cost is its latency, which slicing hides), so small pages
    //    keep both runs latency-bound, as against the real API. `kind:*` plans two requests
    //    (user and system events), ~96 pages unsliced. The bound is pages ÷ concurrency rounds
    //    of a request's time: the name reports the pages each side fetched, how many requests
    //    were in flight on average (8 = every slot busy) and the median request time, which
    //    rises above the injected 100 ms when 8 answers at once queue for the sandbox's and the
    //    client's CPU (on a shared machine, most of the spread between runs).
    {
      const small = await startChild(sandboxScript(5_000));
      try {
        await small.send(JSON.stringify({ latencyMs: 100 }));
        const o = small.info;
        const probe = inFlightProbe();
        const client = createClient({
          baseUrl: o.url,
          clientId: o.clientId,
          clientSecret: o.clientSecret,
          institutionId: o.institutionId,
          concurrency: 8,
          pageSize: 50,
          plugins: [{ name: 'bench-probe', middleware: [probe.middleware] }],
        });
        const at = new Date(Date.parse(o.end) + 1000);
        const text = 'kind:* since 89d';
        await client.query('kind:* since 1h', { now: at });
        probe.reset();
        const t0 = performance.now();
        const r1 = await client.query(text, { now: at, slicing: true });
        const slicedMs = performance.now() - t0;
        const slicedProbe = probe.reset();
        const t1 = performance.now();
        const r2 = await client.query(text, { now: at, slicing: false });
        const plainMs = performance.now() - t1;
        const plainProbe = probe.reset();
        const sliced = r1.rows.map((r) => String(r['guid']));
        const plain = r2.rows.map((r) => String(r['guid']));
        const identical = sliced.length === plain.length && sliced.every((g, i) => g === plain[i]);
        lines.push({
          name: `90-day scan of ${plain.length} records, sliced (${r1.summary.pages} pages in ${r1.summary.requests} slices, ${slicedProbe.average.toFixed(1)} in flight, ${slicedProbe.median.toFixed(0)} ms each) vs unsliced (${r2.summary.pages} pages, ${plainProbe.average.toFixed(1)} in flight, ${plainProbe.median.toFixed(0)} ms each), 100 ms latency, concurrency 8, identical rows: ${identical}`,
          value: slicedMs,
          baseline: plainMs,
          unit: 'ms',
          target: '≥ 4× faster',
          met: identical && plainMs / slicedMs >= 4,
          ratio: plainMs / slicedMs,
        });
        await client.close();
      } finally {
        small.close();
      }
    }
    await sb.send(JSON.stringify({}));
    // 5. Token requests for 100 concurrent queries.
    {
      const client = createClient(options);
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          client.query(`user:${info.users[i % info.users.length] ?? ''} since 1d | count`, { now }),
        ),
      );
      const value = client.authStats.tokenRequests;
      lines.push({
        name: 'token requests for 100 concurrent queries (baseline: one per query)',
        value,
        baseline: 100,
        unit: 'requests',
        target: '= 1',
        met: value === 1,
      });
      await client.close();
    }
  } finally {
    sb.close();
  }
  // 4. Peak RSS streaming 1M records through `| count by type`, in a fresh client process.
  {
    const syn = await startChild(SYNTHETIC);
    try {
      const measured = await startChild(rssProbe(syn.info));
      const r = measured.info as unknown as {
        before: number;
        peak: number;
        total: number;
        pages: number;
      };
      measured.close();
      lines.push({
        name: `peak RSS of a client process streaming ${r.total} records | count by type (${r.pages} pages; baseline: its RSS before the query)`,
        value: r.peak / 1e6,
        baseline: r.before / 1e6,
        unit: 'MB',
        target: '< 200 MB',
        met: r.total === 1_000_000 && r.peak / 1e6 < 200,
      });
    } finally {
      syn.close();
    }
  }
  return lines;
}

/** Shared test helpers: a real sandbox over HTTP and the core's building blocks wired to it. */
import { CANONICAL_NAMES, startSandbox, type Sandbox } from '@baql/sandbox';
import type { BankingActivity, SearchCriteria } from '@baql/query';
import { createAuth, type Auth, type Grant, type TokenCache } from '../src/auth.js';
import { execute } from '../src/executor.js';
import { Limiter } from '../src/limiter.js';
import { createTransport, type FetchLike, type Transport } from '../src/transport.js';

export type { Sandbox };

const spelling = new Map(CANONICAL_NAMES.map((n) => [n.toLowerCase(), n]));
/** The sandbox's own canonical spelling (independent of the planner's catalog). */
export function canonical(record: BankingActivity): BankingActivity {
  const out: Record<string, string> = {};
  for (const k of Object.keys(record))
    out[spelling.get(k.toLowerCase()) ?? k] = record[k] as string;
  return out;
}

/** Starts an in-memory sandbox with a small data set. */
export function sandbox(options: Parameters<typeof startSandbox>[0] = {}): Promise<Sandbox> {
  return startSandbox({ port: 0, events: 20_000, db: ':memory:', ...options });
}

/** The sandbox's base URL and client credentials, as `createClient` takes them. */
export function clientOptions(sb: Sandbox): {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  institutionId: string;
} {
  return {
    baseUrl: sb.url,
    clientId: sb.clientId,
    clientSecret: sb.clientSecret,
    institutionId: sb.institutionId,
  };
}

/** Wires transport + auth + limiter to a sandbox. */
export function wire(
  sb: Sandbox,
  options: {
    grant?: Grant;
    concurrency?: number;
    fetch?: FetchLike;
    retry?: object;
    cache?: TokenCache;
    requestMs?: number;
  } = {},
): { transport: Transport; auth: Auth; limiter: Limiter } {
  const transport = createTransport({
    baseUrl: sb.url,
    retry: { baseMs: 20, capMs: 200, ...options.retry },
    timeouts: { requestMs: options.requestMs ?? 10_000 },
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const auth = createAuth({
    transport,
    clientId: sb.clientId,
    clientSecret: sb.clientSecret,
    institutionId: sb.institutionId,
    ...(options.grant === undefined ? {} : { grant: options.grant }),
    ...(options.cache === undefined ? {} : { cache: options.cache }),
  });
  return { transport, auth, limiter: new Limiter(options.concurrency ?? 8) };
}

/** Runs raw criteria through the executor and collects the records. */
export async function collect(
  w: { transport: Transport; auth: Auth; limiter: Limiter },
  requests: readonly SearchCriteria[],
  options: {
    pageSize?: number;
    slicing?: boolean;
    residual?: (r: BankingActivity) => boolean;
    concurrency?: number;
  } = {},
): Promise<{ records: BankingActivity[]; pages: number; requests: number; retries: number }> {
  const ex = execute({ ...w, canonicalize: canonical }, requests, {
    pageSize: options.pageSize ?? 100,
    concurrency: options.concurrency ?? 8,
    slicing: options.slicing ?? true,
    ...(options.residual === undefined ? {} : { residual: options.residual }),
  });
  const records: BankingActivity[] = [];
  for await (const batch of ex.batches) records.push(...batch);
  return {
    records,
    pages: ex.counters.pages,
    requests: ex.counters.requests,
    retries: ex.counters.retries,
  };
}

/** A window ending at the sandbox's newest event. */
export function lastDays(sb: Sandbox, days: number): { startTime: string; endTime: string } {
  const end = Date.parse(sb.dataRange.end);
  return {
    startTime: new Date(end - days * 86_400_000).toISOString(),
    endTime: new Date(end).toISOString(),
  };
}

/**
 * `startSandbox`: the emulated Auth v2 + Banking Activity APIs on SQLite, in-process, on a port
 * (0 = ephemeral) with generated or imported data, fault injection and a handle to close it.
 * @module
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthService } from './auth.js';
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_INSTITUTION_ID,
  PARTNER_CLIENT_ID,
  PARTNER_CLIENT_SECRET,
  loadConfig,
  type SandboxConfigInput,
} from './config.js';
import { openDataset, type SandboxUser } from './dataset.js';
import { Faults, checkFaultSpec, type FaultSpec } from './faults.js';
import type { Story } from './generator.js';
import { createRng } from './rng.js';
import { createHandler } from './server.js';

/** Options of {@link startSandbox}; every field is optional. @since 0.1.0 */
export interface SandboxOptions {
  /** TCP port (0 = ephemeral; default 4010). */
  readonly port?: number;
  /** Interface to listen on (default `127.0.0.1`). */
  readonly host?: string;
  /** SQLite file (generated into when empty) or `:memory:`; default: a cache file (or memory for ≤ 20 000 events). */
  readonly db?: string;
  /** Generator seed (default 42). */
  readonly seed?: number;
  /** About how many events to generate (default 200 000). */
  readonly events?: number;
  /** Days of history (default 90). */
  readonly days?: number;
  /** Institutions to generate (default `['00016']`). */
  readonly institutions?: readonly string[];
  /** Faults active from the start. */
  readonly faults?: FaultSpec;
  /** Access-token lifetime in seconds, as `expires_in` says (default 86 400). */
  readonly tokenTtlSeconds?: number;
  /** Attribute-name case of answers (default `lower`, as the current API; `camel` as older docs). */
  readonly keyCase?: 'lower' | 'camel';
  /** Also require the `account:read` scope, as the older docs do (default false). */
  readonly requireAccountRead?: boolean;
  /** Answer BAS_10007 to `notEqual`/`like` filters, as some deployments do (default false). */
  readonly rejectNotEqualLike?: boolean;
  /** Maximum lookback of `startTime` in days (default 90). */
  readonly lookbackDays?: number;
  /** Enables `GET/PUT /__admin/faults` (loopback callers only; default false). */
  readonly adminEnabled?: boolean;
  /** Receives one line per request (never a secret); default: silent. */
  readonly log?: (line: string) => void;
  /** Auth config: a JSON file path or an object `{clients: [...]}`; default: the sandbox clients. */
  readonly config?: string | SandboxConfigInput;
  /** gzip level of search answers (default 1, the fastest). */
  readonly gzipLevel?: number;
  /** The clock (epoch ms); default `Date.now`. Tests use it to move time. */
  readonly now?: () => number;
}

/** A running sandbox. @since 0.1.0 */
export interface Sandbox {
  /** Base URL, e.g. `http://127.0.0.1:4010`. */
  readonly url: string;
  readonly port: number;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The OIDC partner client (authorization-code flow). */
  readonly partnerClientId: string;
  readonly partnerClientSecret: string;
  readonly institutionId: string;
  /** Sample users (password grant), most active first, then the users of the planted stories. */
  readonly users: readonly SandboxUser[];
  /** Company ids, most active first. */
  readonly companies: readonly string[];
  /** The planted stories. */
  readonly stories: readonly Story[];
  /** ISO instants of the oldest and newest event, and the number of events. */
  readonly dataRange: { readonly start: string; readonly end: string; readonly events: number };
  /** Where the data lives (`:memory:` or a file). */
  readonly dbPath: string;
  /** Replaces the active faults (`{}` turns them off); throws on an invalid spec. */
  setFaults(spec: FaultSpec): void;
  /** Stops listening and closes the database. */
  close(): Promise<void>;
}

/** The error {@link startSandbox} rejects with on bad options (a clear message, no stack needed). @since 0.1.0 */
export class SandboxError extends Error {
  override readonly name = 'SandboxError';
}

/** Starts a sandbox. @since 0.1.0 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const now = options.now ?? Date.now;
  const institutions =
    options.institutions && options.institutions.length > 0
      ? [...options.institutions]
      : [DEFAULT_INSTITUTION_ID];
  const config = loadConfig(options.config, institutions);
  if (!config.ok) throw new SandboxError(config.message);
  const seed = options.seed ?? 42;
  const faults = new Faults(createRng(seed ^ 0xfa17));
  if (options.faults) {
    const spec = checkFaultSpec(options.faults);
    if (!spec.ok) throw new SandboxError(`invalid faults: ${spec.message}`);
    faults.set(spec.spec);
  }
  const dataset = openDataset({
    ...(options.db !== undefined ? { db: options.db } : {}),
    seed,
    events: options.events ?? 200_000,
    days: options.days ?? 90,
    institutions,
    now: now(),
  });
  const store = dataset.store;
  const auth = new AuthService(config.config, store, {
    tokenTtlSeconds: options.tokenTtlSeconds ?? 86_400,
    refreshTtlSeconds: 15_552_000,
    now,
    earlyExpirySeconds: () => faults.earlyExpirySeconds(),
  });
  const handler = createHandler({
    store,
    auth,
    faults,
    now,
    log: options.log ?? (() => undefined),
    prefetch: new Map(),
    settings: {
      keyCase: options.keyCase ?? 'lower',
      requireAccountRead: options.requireAccountRead ?? false,
      rejectNotEqualLike: options.rejectNotEqualLike ?? false,
      lookbackDays: options.lookbackDays ?? 90,
      maxPageSize: 1000,
      adminEnabled: options.adminEnabled ?? false,
      gzipLevel: options.gzipLevel ?? 1,
    },
  });
  const server: Server = createServer({ keepAliveTimeout: 65_000 }, handler);
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 4010, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    store.close();
    throw new SandboxError(
      `cannot listen on ${host}:${options.port ?? 4010}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const port = (server.address() as AddressInfo).port;
  const range = store.range();
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  let closed = false;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    clientId: DEFAULT_CLIENT_ID,
    clientSecret: DEFAULT_CLIENT_SECRET,
    partnerClientId: PARTNER_CLIENT_ID,
    partnerClientSecret: PARTNER_CLIENT_SECRET,
    institutionId: institutions[0] ?? DEFAULT_INSTITUTION_ID,
    users: dataset.info.users,
    companies: dataset.info.companies,
    stories: dataset.info.stories,
    dataRange: {
      start: new Date(range.start).toISOString(),
      end: new Date(range.end).toISOString(),
      events: range.events,
    },
    dbPath: dataset.location,
    setFaults(spec: FaultSpec) {
      const checked = checkFaultSpec(spec);
      if (!checked.ok) throw new SandboxError(`invalid faults: ${checked.message}`);
      faults.set(checked.spec);
    },
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      store.close();
    },
  };
}

/**
 * `openSession`: the glue every app shares. Loads the config, resolves the profile, starts the
 * embedded sandbox in-process when the profile is `sandbox` (the default with nothing configured),
 * and returns a ready client with the banner the apps print.
 *
 * @module
 */
import {
  BaqlError,
  createClient,
  loadConfig,
  loadPlugins,
  type BaqlPlugin,
  resolveProfile,
  type BaqlClient,
  type ClientOptions,
  type LoadedConfig,
  type ResolvedProfile,
} from '@baql/core';
import type { Catalog } from '@baql/query';
import { bannerFor, type SessionBanner } from './banner.js';

/** What the embedded sandbox reports about itself (a subset of `@baql/sandbox`'s handle). */
export interface EmbeddedSandbox {
  readonly url: string;
  readonly institutionId: string;
  readonly dataRange: { readonly start: string; readonly end: string };
  readonly users: readonly unknown[];
  /** Turns faults on or off (latency, errors), e.g. `setFaults({latencyMs: 2000})`. */
  setFaults(spec: Record<string, unknown>): unknown;
  close(): Promise<void>;
}

/** Options of {@link openSession}. */
export interface OpenSessionOptions {
  /** The profile name (default: `$BAQL_PROFILE`, the config's `defaultProfile`, then `sandbox`). */
  readonly profile?: string | undefined;
  /** An explicit config file (default: `$BAQL_CONFIG`, `./baql.config.json`, the user config). */
  readonly configPath?: string | undefined;
  /** An already loaded config (skips reading files). */
  readonly config?: LoadedConfig | undefined;
  /** The project directory (default `process.cwd()`). */
  readonly cwd?: string | undefined;
  /** The environment (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Options for the embedded sandbox (seed, faults, …), merged over the profile's `sandbox`. */
  readonly sandbox?: Readonly<Record<string, unknown>> | undefined;
  /** Extra client options (fetch, logger, timeouts, plugins, …). */
  readonly client?: Partial<ClientOptions> | undefined;
}

/** An open session: a ready client and what the apps show about it. */
export interface Session {
  /** The client of this profile's API. */
  readonly client: BaqlClient;
  /** The catalog of fields and event ids the client plans with. */
  readonly catalog: Catalog;
  /** The resolved profile name. */
  readonly profileName: string;
  /** What to tell the user: where the data comes from, a first query to try. */
  readonly banner: SessionBanner;
  /** The embedded sandbox, when the profile runs one. */
  readonly sandbox?: EmbeddedSandbox;
  /** Public facts of the profile (never a secret). */
  readonly info: SessionInfo;
  /** Closes the client and stops the embedded sandbox. */
  close(): Promise<void>;
}

/** Public facts of a session's profile; safe to print (no secrets). */
export interface SessionInfo {
  readonly profileName: string;
  readonly baseUrl: string;
  readonly institutionId: string;
  readonly clientId: string;
  readonly embeddedSandbox: boolean;
  readonly configPath?: string;
}

/**
 * Opens a session on a profile.
 *
 * @example
 * ```ts
 * const session = await openSession();            // nothing configured: the embedded sandbox
 * const result = await session.client.query('type:login since 1d | count by segment');
 * await session.close();
 * ```
 * @throws BaqlError with a `ConfigError` reason when the config or profile is unusable.
 * @since 0.1.0
 */
export async function openSession(options: OpenSessionOptions = {}): Promise<Session> {
  const env = options.env ?? process.env;
  const config =
    options.config ??
    loadConfig({
      ...(options.configPath === undefined ? {} : { path: options.configPath }),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      env,
    });
  const profile = resolveProfile(config, options.profile, env);
  const plugins = await pluginsOf(profile);
  if (profile.sandbox) return openSandboxSession(profile, config, options, env, plugins);
  const client = createClient({
    baseUrl: profile.baseUrl,
    clientId: profile.clientId,
    clientSecret: profile.clientSecret,
    institutionId: profile.institutionId,
    grant: profile.grant,
    ...(profile.scopes === undefined ? {} : { scopes: profile.scopes }),
    ...(plugins.length === 0 ? {} : { plugins }),
    ...tuning(profile),
    ...options.client,
  });
  const info: SessionInfo = {
    profileName: profile.name,
    baseUrl: profile.baseUrl,
    institutionId: profile.institutionId,
    clientId: profile.clientId,
    embeddedSandbox: false,
    ...(config.path === undefined ? {} : { configPath: config.path }),
  };
  return {
    client,
    catalog: client.catalog,
    profileName: profile.name,
    banner: bannerFor(info, undefined),
    info,
    close: async () => {
      await client.close();
    },
  };
}

async function openSandboxSession(
  profile: Extract<ResolvedProfile, { sandbox: true }>,
  config: LoadedConfig,
  options: OpenSessionOptions,
  env: Readonly<Record<string, string | undefined>>,
  plugins: readonly BaqlPlugin[],
): Promise<Session> {
  const faults = env['BAQL_SANDBOX_FAULTS'];
  // Loaded only here: library users and remote profiles never pay for SQLite.
  const { startSandbox } = await import('@baql/sandbox');
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  try {
    sandbox = await startSandbox({
      port: 0,
      ...profile.sandboxOptions,
      ...(faults === undefined || faults === '' ? {} : { faults: parseFaults(faults) }),
      ...options.sandbox,
    });
  } catch (error) {
    throw new BaqlError({
      _tag: 'ConfigError',
      message: `the embedded sandbox did not start: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
  const client = createClient({
    baseUrl: sandbox.url,
    clientId: sandbox.clientId,
    clientSecret: sandbox.clientSecret,
    institutionId: sandbox.institutionId,
    ...(plugins.length === 0 ? {} : { plugins }),
    ...tuning(profile),
    ...options.client,
  });
  const info: SessionInfo = {
    profileName: profile.name,
    baseUrl: sandbox.url,
    institutionId: sandbox.institutionId,
    clientId: sandbox.clientId,
    embeddedSandbox: true,
    ...(config.path === undefined ? {} : { configPath: config.path }),
  };
  const embedded = sandbox as unknown as EmbeddedSandbox;
  let closed = false;
  return {
    client,
    catalog: client.catalog,
    profileName: profile.name,
    banner: bannerFor(info, embedded),
    sandbox: embedded,
    info,
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        await client.close();
      } finally {
        await sandbox.close();
      }
    },
  };
}

async function pluginsOf(profile: ResolvedProfile): Promise<readonly BaqlPlugin[]> {
  if (profile.plugins.length === 0) return [];
  const loaded = await loadPlugins(profile.plugins, profile.pluginDir);
  if (loaded._tag === 'Left') throw new BaqlError(loaded.left);
  return loaded.right;
}

/**
 * Reads `$BAQL_SANDBOX_FAULTS`: JSON (`{"latencyMs":2000}`) or `key=number` pairs
 * (`latencyMs=2000,errorRate=0.1`), as the sandbox's own `--faults` option.
 */
export function parseFaults(text: string): Record<string, number> {
  const t = text.trim();
  const fail = (why: string): never => {
    throw new BaqlError({ _tag: 'ConfigError', message: `BAQL_SANDBOX_FAULTS: ${why}` });
  };
  if (t === '' || t === 'off' || t === 'none') return {};
  let value: unknown;
  if (t.startsWith('{')) {
    try {
      value = JSON.parse(t);
    } catch {
      return fail('not valid JSON');
    }
  } else {
    value = Object.fromEntries(
      t.split(',').map((pair) => {
        const [k, v] = pair.split('=').map((x) => x.trim());
        if (!k || v === undefined || v === '' || Number.isNaN(Number(v)))
          fail(`cannot read "${pair}" (expected key=number)`);
        return [k, Number(v)];
      }),
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail('expected an object');
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      fail(`"${k}" must be a non-negative number`);
  }
  return value as Record<string, number>;
}

function tuning(profile: ResolvedProfile): { concurrency?: number; pageSize?: number } {
  return {
    ...(profile.concurrency === undefined ? {} : { concurrency: profile.concurrency }),
    ...(profile.pageSize === undefined ? {} : { pageSize: profile.pageSize }),
  };
}

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
  resolvePlanningProfileE,
  type BaqlClient,
  type ClientOptions,
  type LoadedConfig,
  type ProfileSettings,
  type ResolvedProfile,
} from '@baql/core';
import type { Catalog } from '@baql/query';
import type { Sandbox } from '@baql/sandbox';
import { bannerFor, type SessionBanner } from './banner.js';

/** The embedded sandbox of a `sandbox` profile (the `@baql/sandbox` handle). */
export type EmbeddedSandbox = Sandbox;

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
  const config = configOf(options, env);
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
  const { startSandbox, parseFaultSpec } = await import('@baql/sandbox');
  let faultSpec = {};
  if (faults !== undefined && faults !== '') {
    const parsed = parseFaultSpec(faults);
    if (!parsed.ok)
      throw new BaqlError({
        _tag: 'ConfigError',
        message: `BAQL_SANDBOX_FAULTS: ${parsed.message}`,
      });
    faultSpec = parsed.spec;
  }
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({
      port: 0,
      ...profile.sandboxOptions,
      faults: faultSpec,
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
  let closed = false;
  return {
    client,
    catalog: client.catalog,
    profileName: profile.name,
    banner: bannerFor(info, sandbox),
    sandbox,
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

/**
 * A profile's planner: its catalog, plugins' macros and time settings, with no connection — no
 * credentials read, no embedded sandbox started. What `explain`, `check` and `fmt` need, fast
 * and on machines (CI) that have no secrets.
 */
export interface PlanningSession {
  /** Plans and explains exactly as the profile's client would. */
  readonly client: Pick<BaqlClient, 'compile' | 'explain' | 'macros' | 'catalog'>;
  /** The catalog of fields and event ids the client plans with. */
  readonly catalog: Catalog;
  /** The resolved profile name. */
  readonly profileName: string;
  close(): Promise<void>;
}

/** A base URL no planning session ever calls (its client is never asked to query). */
const PLANNING_ONLY = 'http://127.0.0.1:9';

/**
 * Opens the planning side of a profile (see {@link PlanningSession}).
 *
 * @example
 * ```ts
 * const planner = await openPlanningSession({ profile: 'prod' }); // no secret needed
 * console.log(planner.client.explain('@failedLogins since 1d'));
 * ```
 * @throws BaqlError with a `ConfigError` reason when the config or profile is unusable.
 * @since 0.1.0
 */
export async function openPlanningSession(
  options: Omit<OpenSessionOptions, 'sandbox'> = {},
): Promise<PlanningSession> {
  const env = options.env ?? process.env;
  const config = configOf(options, env);
  const resolved = resolvePlanningProfileE(config, options.profile, env);
  if (resolved._tag === 'Left') throw new BaqlError(resolved.left);
  const profile = resolved.right;
  const plugins = await pluginsOf(profile);
  const client = createClient({
    baseUrl: PLANNING_ONLY,
    clientId: 'planning-only',
    clientSecret: 'planning-only',
    institutionId: 'planning-only',
    ...(plugins.length === 0 ? {} : { plugins }),
    ...tuning(profile),
    ...options.client,
  });
  return {
    client,
    catalog: client.catalog,
    profileName: profile.name,
    close: () => client.close(),
  };
}

/** The given config, else the one `loadConfig` finds for these options. */
function configOf(
  options: Omit<OpenSessionOptions, 'sandbox'>,
  env: Readonly<Record<string, string | undefined>>,
): LoadedConfig {
  return (
    options.config ??
    loadConfig({
      ...(options.configPath === undefined ? {} : { path: options.configPath }),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      env,
    })
  );
}

/** Loads a profile's plugins (both full and planning profiles name them the same way). */
async function pluginsOf(profile: {
  readonly plugins: readonly string[];
  readonly pluginDir: string;
}): Promise<readonly BaqlPlugin[]> {
  if (profile.plugins.length === 0) return [];
  const loaded = await loadPlugins(profile.plugins, profile.pluginDir);
  if (loaded._tag === 'Left') throw new BaqlError(loaded.left);
  return loaded.right;
}

/** The profile's settings the client takes: tuning and the planner's time settings. */
function tuning(profile: ProfileSettings): ProfileSettings {
  return {
    ...(profile.concurrency === undefined ? {} : { concurrency: profile.concurrency }),
    ...(profile.pageSize === undefined ? {} : { pageSize: profile.pageSize }),
    ...(profile.timeZone === undefined ? {} : { timeZone: profile.timeZone }),
    ...(profile.defaultWindow === undefined ? {} : { defaultWindow: profile.defaultWindow }),
    ...(profile.lookbackDays === undefined ? {} : { lookbackDays: profile.lookbackDays }),
  };
}

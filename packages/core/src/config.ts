/**
 * Configuration: profiles in `baql.config.json` (the project) or `$XDG_CONFIG_HOME/baql/config.json`
 * (the user). A profile names the base URL (or an environment), client id, institution, scopes,
 * grant and plugins. Secrets never live in the config file: they come from environment variables
 * or from files that other users cannot read (refused with a clear message otherwise).
 *
 * The `sandbox` profile is the default; it means "the embedded sandbox" (started by
 * `@baql/runtime`) unless the file defines a profile of that name.
 *
 * @module
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { resolveBaseUrl } from './base-url.js';
import { errorPaths } from './codecs.js';
import { BaqlError, type ConfigError } from './errors.js';
import { isValidTimeZone, parseDuration } from '@baql/query';
import type { Grant } from './auth.js';

const ProfileC = t.partial({
  /** A URL, or `sandbox` (embedded), `candescent-sandbox`, `stage`, `production`. */
  baseUrl: t.string,
  clientId: t.string,
  institutionId: t.string,
  scopes: t.array(t.string),
  grant: t.keyof({ client_credentials: null, password: null }),
  username: t.string,
  clientSecretEnv: t.string,
  clientSecretFile: t.string,
  passwordEnv: t.string,
  passwordFile: t.string,
  plugins: t.array(t.string),
  concurrency: t.number,
  pageSize: t.number,
  timeZone: t.string,
  defaultWindow: t.string,
  lookbackDays: t.number,
  sandbox: t.UnknownRecord,
});
const ConfigFileC = t.partial({
  defaultProfile: t.string,
  plugins: t.array(t.string),
  /** Defaults of every profile's planning settings (a profile's own value wins). */
  timeZone: t.string,
  defaultWindow: t.string,
  lookbackDays: t.number,
  profiles: t.record(t.string, ProfileC),
});

/** One profile as written in the config file. */
export type ProfileConfig = t.TypeOf<typeof ProfileC>;
/** The config file. */
export type ConfigFile = t.TypeOf<typeof ConfigFileC>;

/** A loaded config: the file's content and where it came from (`path` undefined: none found). */
export interface LoadedConfig {
  readonly path?: string;
  /** The directory plugin paths are relative to. */
  readonly dir: string;
  readonly file: ConfigFile;
}

/** Where to look. */
export interface LoadConfigOptions {
  /** An explicit config file (must exist). */
  readonly path?: string;
  /** The project directory (default `process.cwd()`). */
  readonly cwd?: string;
  /** The environment (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const configError = (message: string): ConfigError => ({ _tag: 'ConfigError', message });

/** The config files looked at, in order: `./baql.config.json`, then the XDG user config. */
export function configCandidates(options: LoadConfigOptions = {}): string[] {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const xdg =
    env['XDG_CONFIG_HOME'] !== undefined && env['XDG_CONFIG_HOME'] !== ''
      ? env['XDG_CONFIG_HOME']
      : join(env['HOME'] ?? homedir(), '.config');
  return [join(cwd, 'baql.config.json'), join(xdg, 'baql', 'config.json')];
}

/** Loads the config (fp-ts form). No file at all is not an error: it means the sandbox profile. */
export function loadConfigE(options: LoadConfigOptions = {}): E.Either<ConfigError, LoadedConfig> {
  const env = options.env ?? process.env;
  const explicit = options.path ?? env['BAQL_CONFIG'];
  const path =
    explicit !== undefined && explicit !== ''
      ? resolve(options.cwd ?? process.cwd(), explicit)
      : configCandidates(options).find((p) => existsSync(p));
  if (path === undefined) return E.right({ dir: options.cwd ?? process.cwd(), file: {} });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return E.left(configError(`cannot read the config file ${path}`));
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return E.left(configError(`${path} is not valid JSON (${(error as Error).message})`));
  }
  const decoded = ConfigFileC.decode(json);
  if (E.isLeft(decoded))
    return E.left(configError(`${path}: ${errorPaths(decoded.left).join('; ')}`));
  for (const [name, profile] of Object.entries(decoded.right.profiles ?? {})) {
    const raw = profile as Record<string, unknown>;
    for (const secret of ['clientSecret', 'password', 'secret', 'token']) {
      if (secret in raw) {
        return E.left(
          configError(
            `${path}: profile "${name}" contains "${secret}"; secrets do not belong in the config file — use ${secret === 'password' ? 'passwordEnv or passwordFile' : 'clientSecretEnv or clientSecretFile'}`,
          ),
        );
      }
    }
  }
  return E.right({ path, dir: dirname(path), file: decoded.right });
}

/** Loads the config; throws {@link BaqlError} (`ConfigError`) on a bad file. */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const r = loadConfigE(options);
  if (E.isLeft(r)) throw new BaqlError(r.left);
  return r.right;
}

/**
 * How a profile plans and runs queries: client tuning, and the planner's time settings (the time
 * zone of dates without an offset, `today` and `@d`; the window of a query without a time clause;
 * how many days back the deployment's API keeps).
 */
export interface ProfileSettings {
  readonly concurrency?: number;
  readonly pageSize?: number;
  readonly timeZone?: string;
  readonly defaultWindow?: string;
  readonly lookbackDays?: number;
}

/** A profile ready to use. `sandbox: true` means "start the embedded sandbox" (done by `@baql/runtime`). */
export type ResolvedProfile = ProfileSettings &
  (
    | {
        readonly name: string;
        readonly sandbox: true;
        readonly plugins: readonly string[];
        readonly pluginDir: string;
        readonly sandboxOptions: Readonly<Record<string, unknown>>;
      }
    | {
        readonly name: string;
        readonly sandbox: false;
        readonly baseUrl: string;
        readonly clientId: string;
        readonly clientSecret: string;
        readonly institutionId: string;
        readonly grant: Grant;
        readonly scopes?: readonly string[];
        readonly plugins: readonly string[];
        readonly pluginDir: string;
      }
  );

/** The file-wide plugins, then the profile's own (each once). */
const pluginsOfProfile = (file: ConfigFile, p: ProfileConfig | undefined): string[] => {
  const globalPlugins = file.plugins ?? [];
  return [...globalPlugins, ...(p?.plugins ?? []).filter((x) => !globalPlugins.includes(x))];
};

/** A profile's settings over the file's defaults, checked. */
function settingsOf(
  file: ConfigFile,
  p: ProfileConfig | undefined,
  profile: string,
): E.Either<ConfigError, ProfileSettings> {
  const timeZone = p?.timeZone ?? file.timeZone;
  const defaultWindow = p?.defaultWindow ?? file.defaultWindow;
  const lookbackDays = p?.lookbackDays ?? file.lookbackDays;
  const where = `profile "${profile}"`;
  if (timeZone !== undefined && !isValidTimeZone(timeZone))
    return E.left(
      configError(
        `${where}: timeZone "${timeZone}" is not an IANA time zone (e.g. America/New_York)`,
      ),
    );
  if (defaultWindow !== undefined && parseDuration(defaultWindow) === undefined)
    return E.left(
      configError(`${where}: defaultWindow "${defaultWindow}" is not a duration (e.g. 24h, 7d)`),
    );
  if (lookbackDays !== undefined && !(Number.isInteger(lookbackDays) && lookbackDays > 0))
    return E.left(configError(`${where}: lookbackDays must be a positive whole number of days`));
  return E.right({
    ...(p?.concurrency === undefined ? {} : { concurrency: p.concurrency }),
    ...(p?.pageSize === undefined ? {} : { pageSize: p.pageSize }),
    ...(timeZone === undefined ? {} : { timeZone }),
    ...(defaultWindow === undefined ? {} : { defaultWindow }),
    ...(lookbackDays === undefined ? {} : { lookbackDays }),
  });
}

/** Reads a secret file, refusing one that other users can read. */
export function readSecretFile(path: string, what: string): E.Either<ConfigError, string> {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    return E.left(configError(`the ${what} file ${path} does not exist or cannot be read`));
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    return E.left(
      configError(
        `the ${what} file ${path} is readable by other users (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${path}`,
      ),
    );
  }
  const value = readFileSync(path, 'utf8').trim();
  if (value === '') return E.left(configError(`the ${what} file ${path} is empty`));
  return E.right(value);
}

const expandHome = (p: string, dir: string): string => {
  const home = p.startsWith('~/') ? join(homedir(), p.slice(2)) : p;
  return isAbsolute(home) ? home : resolve(dir, home);
};

const secretFrom = (
  env: Readonly<Record<string, string | undefined>>,
  envName: string,
  file: string | undefined,
  dir: string,
  what: string,
  profile: string,
): E.Either<ConfigError, string> => {
  const fromEnv = env[envName];
  if (fromEnv !== undefined && fromEnv !== '') return E.right(fromEnv);
  if (file !== undefined) return readSecretFile(expandHome(file, dir), what);
  return E.left(
    configError(
      `profile "${profile}" needs a ${what}: set the environment variable ${envName} or give a ${what === 'password' ? 'passwordFile' : 'clientSecretFile'}`,
    ),
  );
};

/** The profile to use: `name`, else `$BAQL_PROFILE`, else the file's `defaultProfile`, else `sandbox`. */
const chosenProfile = (
  loaded: LoadedConfig,
  name: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string =>
  name ??
  (env['BAQL_PROFILE'] !== undefined && env['BAQL_PROFILE'] !== ''
    ? env['BAQL_PROFILE']
    : undefined) ??
  loaded.file.defaultProfile ??
  'sandbox';

/** Resolves a profile (fp-ts form). The name defaults to `$BAQL_PROFILE`, then `defaultProfile`, then `sandbox`. */
export function resolveProfileE(
  loaded: LoadedConfig,
  name?: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): E.Either<ConfigError, ResolvedProfile> {
  const chosen = chosenProfile(loaded, name, env);
  const profiles = loaded.file.profiles ?? {};
  const p = profiles[chosen];
  const settings = settingsOf(loaded.file, p, chosen);
  if (E.isLeft(settings)) return settings;
  if (p === undefined) {
    if (chosen === 'sandbox')
      return E.right({
        name: 'sandbox',
        sandbox: true,
        plugins: pluginsOfProfile(loaded.file, undefined),
        pluginDir: loaded.dir,
        sandboxOptions: {},
        ...settings.right,
      });
    const known = ['sandbox', ...Object.keys(profiles).filter((k) => k !== 'sandbox')];
    return E.left(
      configError(
        `unknown profile "${chosen}" (known: ${known.join(', ')})${loaded.path === undefined ? '; no config file was found' : ` in ${loaded.path}`}`,
      ),
    );
  }
  const plugins = pluginsOfProfile(loaded.file, p);
  const tuning = settings.right;
  if (p.baseUrl === undefined || p.baseUrl === 'sandbox') {
    return E.right({
      name: chosen,
      sandbox: true,
      plugins,
      pluginDir: loaded.dir,
      sandboxOptions: p.sandbox ?? {},
      ...tuning,
    });
  }
  const base = resolveBaseUrl(p.baseUrl);
  if (E.isLeft(base)) return E.left(configError(`profile "${chosen}": ${base.left.message}`));
  if (p.clientId === undefined || p.institutionId === undefined) {
    return E.left(configError(`profile "${chosen}" needs clientId and institutionId`));
  }
  const secret = secretFrom(
    env,
    p.clientSecretEnv ?? 'BAQL_CLIENT_SECRET',
    p.clientSecretFile,
    loaded.dir,
    'client secret',
    chosen,
  );
  if (E.isLeft(secret)) return secret;
  let grant: Grant = { type: 'client_credentials' };
  if (p.grant === 'password') {
    if (p.username === undefined)
      return E.left(
        configError(`profile "${chosen}" uses the password grant and needs a username`),
      );
    const password = secretFrom(
      env,
      p.passwordEnv ?? 'BAQL_PASSWORD',
      p.passwordFile,
      loaded.dir,
      'password',
      chosen,
    );
    if (E.isLeft(password)) return password;
    grant = { type: 'password', username: p.username, password: password.right };
  }
  return E.right({
    name: chosen,
    sandbox: false,
    baseUrl: base.right,
    clientId: p.clientId,
    clientSecret: secret.right,
    institutionId: p.institutionId,
    grant,
    plugins,
    pluginDir: loaded.dir,
    ...(p.scopes === undefined ? {} : { scopes: p.scopes }),
    ...tuning,
  });
}

/** What planning needs of a profile: its plugins and time settings — no credentials. */
export type PlanningProfile = ProfileSettings & {
  readonly name: string;
  readonly plugins: readonly string[];
  readonly pluginDir: string;
};

/**
 * Resolves the planning side of a profile (its plugins and settings), without its credentials
 * or base URL: what `explain`, `check` and `fmt` need, on a machine (CI) that has no secrets.
 * The name is chosen as {@link resolveProfileE} chooses it; an unknown name is an error.
 */
export function resolvePlanningProfileE(
  loaded: LoadedConfig,
  name?: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): E.Either<ConfigError, PlanningProfile> {
  const chosen = chosenProfile(loaded, name, env);
  const p = (loaded.file.profiles ?? {})[chosen];
  if (p === undefined && chosen !== 'sandbox') {
    // The full resolution words the error (known profiles, where the config was found).
    const full = resolveProfileE(loaded, chosen, env);
    return E.left(E.isLeft(full) ? full.left : configError(`unknown profile "${chosen}"`));
  }
  const settings = settingsOf(loaded.file, p, chosen);
  if (E.isLeft(settings)) return settings;
  return E.right({
    name: chosen,
    plugins: pluginsOfProfile(loaded.file, p),
    pluginDir: loaded.dir,
    ...settings.right,
  });
}

/** Resolves a profile; throws {@link BaqlError} (`ConfigError`) when it is unusable. */
export function resolveProfile(
  loaded: LoadedConfig,
  name?: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ResolvedProfile {
  const r = resolveProfileE(loaded, name, env);
  if (E.isLeft(r)) throw new BaqlError(r.left);
  return r.right;
}

/**
 * The kernelspec installer: writes `kernel.json` (and a logo) into a Jupyter data directory
 * itself, so installing needs no Python. `jupyter kernelspec list` then shows the kernel.
 *
 * @since 0.1.0
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';

/** Options of {@link installKernelSpec}; at most one of `user`, `prefix`, `sysPrefix`. @since 0.1.0 */
export interface InstallOptions {
  /** Install for the current user (the default). */
  readonly user?: boolean;
  /** Install under `<prefix>/share/jupyter/kernels/<name>`. */
  readonly prefix?: string;
  /** Install into the active Python environment (`VIRTUAL_ENV`, `CONDA_PREFIX`, or `python3`'s `sys.prefix`). */
  readonly sysPrefix?: boolean;
  /** The kernel name: letters, digits, `.`, `_`, `-` (default `baql`). */
  readonly name?: string;
  /** The name notebooks show (default `BAQL`). */
  readonly displayName?: string;
  /** A baql profile the kernel opens at start (`BAQL_PROFILE` in the spec's env). */
  readonly profile?: string;
  /** Build the spec without writing it. */
  readonly dryRun?: boolean;
  /** The environment to read `HOME`, `JUPYTER_DATA_DIR`, ... from (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
}

/** The content of `kernel.json`. @since 0.1.0 */
export interface KernelSpec {
  readonly argv: readonly string[];
  readonly display_name: string;
  readonly language: 'baql';
  readonly interrupt_mode: 'message';
  readonly env: Readonly<Record<string, string>>;
  readonly metadata: { readonly debugger: false };
}

/** Why a kernelspec cannot be installed. @since 0.1.0 */
export type InstallError =
  | { readonly _tag: 'BadOptions'; readonly message: string }
  | { readonly _tag: 'NoEnvironment'; readonly message: string }
  | { readonly _tag: 'WriteFailed'; readonly path: string; readonly message: string };

/** The result of an install: where the spec went and what it says. @since 0.1.0 */
export interface Installed {
  readonly dir: string;
  readonly spec: KernelSpec;
}

/** The built launcher of this app (`dist/main.js`), whether this module runs from `src` or `dist`. @since 0.1.0 */
export function launcherPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, '..', 'dist', 'main.js');
}

/** The kernel spec for a launcher path. @since 0.1.0 */
export function kernelSpec(
  options: { displayName?: string; profile?: string; launcher?: string; node?: string } = {},
): KernelSpec {
  return {
    argv: [
      options.node ?? process.execPath,
      options.launcher ?? launcherPath(),
      'run',
      '{connection_file}',
    ],
    display_name: options.displayName ?? 'BAQL',
    language: 'baql',
    interrupt_mode: 'message',
    env: options.profile === undefined ? {} : { BAQL_PROFILE: options.profile },
    metadata: { debugger: false },
  };
}

/** Jupyter's per-user data directory, as jupyter_core computes it. @since 0.1.0 */
export function userDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['JUPYTER_DATA_DIR']) return env['JUPYTER_DATA_DIR'];
  const home = env['HOME'] ?? homedir();
  if (process.platform === 'darwin') return join(home, 'Library', 'Jupyter');
  if (process.platform === 'win32') return join(env['APPDATA'] ?? home, 'jupyter');
  return join(env['XDG_DATA_HOME'] || join(home, '.local', 'share'), 'jupyter');
}

const sysPrefix = (env: NodeJS.ProcessEnv): E.Either<InstallError, string> => {
  const active = env['VIRTUAL_ENV'] || env['CONDA_PREFIX'];
  if (active) return E.right(active);
  try {
    const prefix = execFileSync('python3', ['-c', 'import sys; print(sys.prefix)'], {
      encoding: 'utf8',
      env,
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    }).trim();
    if (prefix) return E.right(prefix);
  } catch (_error) {
    // fall through
  }
  return E.left({
    _tag: 'NoEnvironment',
    message:
      '--sys-prefix needs an active Python environment (VIRTUAL_ENV or CONDA_PREFIX) or python3 on PATH',
  });
};

/** The kernels directory for the options (`…/share/jupyter/kernels/<name>`). @since 0.1.0 */
export function kernelDir(options: InstallOptions): E.Either<InstallError, string> {
  const name = options.name ?? 'baql';
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) {
    return E.left({
      _tag: 'BadOptions',
      message: `invalid kernel name "${name}": use letters, digits, ".", "_" and "-"`,
    });
  }
  const chosen = [options.user === true, options.prefix !== undefined, options.sysPrefix === true];
  if (chosen.filter(Boolean).length > 1) {
    return E.left({
      _tag: 'BadOptions',
      message: 'choose one of --user, --prefix and --sys-prefix',
    });
  }
  const env = options.env ?? process.env;
  if (options.prefix !== undefined) {
    if (options.prefix === '')
      return E.left({ _tag: 'BadOptions', message: '--prefix needs a directory' });
    return E.right(join(resolve(options.prefix), 'share', 'jupyter', 'kernels', name));
  }
  if (options.sysPrefix === true) {
    return E.map((p: string) => join(p, 'share', 'jupyter', 'kernels', name))(sysPrefix(env));
  }
  return E.right(join(userDataDir(env), 'kernels', name));
}

const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
<rect width="64" height="64" rx="12" fill="#1f4e79"/>
<text x="32" y="41" font-family="sans-serif" font-size="20" font-weight="bold" fill="#fff" text-anchor="middle">BAQL</text>
</svg>
`;

/**
 * Installs the BAQL kernelspec: `kernel.json` (argv running this app's `dist/main.js` with
 * `{connection_file}`, display name, language `baql`, `interrupt_mode: message`) and a logo.
 *
 * @example
 * const installed = await installKernelSpec({ prefix: '/tmp/jupyter', name: 'baql' });
 * // Right({ dir: '/tmp/jupyter/share/jupyter/kernels/baql', spec: {...} })
 * @since 0.1.0
 */
export async function installKernelSpec(
  options: InstallOptions = {},
): Promise<E.Either<InstallError, Installed>> {
  const dir = kernelDir(options);
  if (E.isLeft(dir)) return dir;
  const spec = kernelSpec({
    ...(options.displayName === undefined ? {} : { displayName: options.displayName }),
    ...(options.profile === undefined ? {} : { profile: options.profile }),
  });
  if (options.dryRun === true) return E.right({ dir: dir.right, spec });
  try {
    await mkdir(dir.right, { recursive: true });
    await writeFile(join(dir.right, 'kernel.json'), `${JSON.stringify(spec, null, 2)}\n`);
    await writeFile(join(dir.right, 'logo-svg.svg'), LOGO);
  } catch (error) {
    return E.left({ _tag: 'WriteFailed', path: dir.right, message: (error as Error).message });
  }
  return E.right({ dir: dir.right, spec });
}

/** A human sentence for an {@link InstallError}. @since 0.1.0 */
export function describeInstallError(error: InstallError): string {
  return error._tag === 'WriteFailed'
    ? `cannot write the kernelspec into ${error.path}: ${error.message}`
    : error.message;
}

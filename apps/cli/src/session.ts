/**
 * Opening the session of the chosen profile for a batch command, the one way `run`, `explain`,
 * `check` and `fmt` all do it, so they share the profile's API, catalog and plugins (macros).
 * `run` connects; `explain`, `check` and `fmt` only plan, so they open the profile's planning
 * session: no secret read, no embedded sandbox started (fast, and usable in CI).
 */
import type { PlanningSession, Session } from '@baql/runtime';
import { errorMessage } from './errors.js';
import type { CliIo } from './io.js';
import type { ConnectionOptions } from './program.js';

/** What the runtime's `openSession` and `openPlanningSession` take, from the CLI's options. */
const sessionOptions = (io: CliIo, options: ConnectionOptions) => ({
  ...(options.profile === undefined ? {} : { profile: options.profile }),
  ...(options.config === undefined ? {} : { configPath: options.config }),
  ...(options.tz === undefined ? {} : { client: { timeZone: options.tz } }),
  cwd: io.cwd,
  env: io.env,
});

/** Awaits `opening`; when it fails, prints `baql: <reason>` and resolves to undefined. */
async function orReport<T>(io: CliIo, opening: () => Promise<T>): Promise<T | undefined> {
  try {
    return await opening();
  } catch (error) {
    io.stderr.write(`baql: ${errorMessage(error)}\n`);
    return undefined;
  }
}

/**
 * Opens the session of `options.profile` (`--config` and the environment as usual). When it
 * cannot (unknown profile, bad config, missing secret), prints `baql: <reason>` on stderr and
 * resolves to undefined: the caller exits 1.
 */
export async function openCliSession(
  io: CliIo,
  options: ConnectionOptions,
): Promise<Session | undefined> {
  const { openSession } = await import('@baql/runtime');
  return orReport(io, () => openSession(sessionOptions(io, options)));
}

/**
 * Opens the planning session of `options.profile` (its catalog, macros and time settings, no
 * connection). Like {@link openCliSession}, prints `baql: <reason>` and resolves to undefined
 * when the profile is unusable.
 */
export async function openCliPlanner(
  io: CliIo,
  options: ConnectionOptions,
): Promise<PlanningSession | undefined> {
  const { openPlanningSession } = await import('@baql/runtime');
  return orReport(io, () => openPlanningSession(sessionOptions(io, options)));
}

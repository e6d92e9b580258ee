/**
 * `baql sandbox`, `baql serve`, `baql kernel install`: hand the arguments to the app that owns
 * the command. Apps never import apps, so the server and kernel are loaded at run time by package
 * name; each exports `run(argv, io)`-style entry points documented in its README.
 */
import { EXIT, type CliIo } from '../io.js';

type Entry = (argv: readonly string[]) => Promise<number | void> | number | void;

const TARGETS = {
  sandbox: { pkg: '@baql/sandbox', entries: ['runSandboxCli', 'runCli', 'main'] },
  serve: { pkg: '@baql/server', entries: ['runServe', 'runCli', 'main'] },
  kernel: { pkg: '@baql/kernel', entries: ['runKernelCli', 'runCli', 'main'] },
} as const;

/** Runs `command` of another app with `argv`; resolves to its exit code. */
export async function delegate(
  io: CliIo,
  command: keyof typeof TARGETS,
  argv: readonly string[],
): Promise<number> {
  const target = TARGETS[command];
  let mod: Record<string, unknown>;
  try {
    // A computed specifier: resolved at run time, so the CLI does not depend on other apps.
    const specifier: string = target.pkg;
    mod = (await import(specifier)) as Record<string, unknown>;
  } catch (error) {
    io.stderr.write(
      `baql ${command}: ${target.pkg} is not installed or not built (${error instanceof Error ? error.message.split('\n')[0] : String(error)})\n`,
    );
    return EXIT.runtime;
  }
  const entry = target.entries
    .map((name) => mod[name])
    .find((f): f is Entry => typeof f === 'function');
  if (!entry) {
    io.stderr.write(
      `baql ${command}: ${target.pkg} has no command-line entry point (${target.entries.join(' / ')})\n`,
    );
    return EXIT.runtime;
  }
  const code = await entry(argv);
  return typeof code === 'number' ? code : EXIT.ok;
}

/**
 * The `baql sandbox` command line: `baql sandbox [--port 4010] [--db file] [--seed N]
 * [--faults spec] ...` starts a sandbox and prints its credentials; `baql sandbox import
 * events.ndjson --db file` loads exported events. apps/cli delegates to {@link runSandboxCli}.
 * @module
 */
import { importNdjson } from './ndjson.js';
import { parseFaultSpec, type FaultSpec } from './faults.js';
import { startSandbox, type Sandbox, type SandboxOptions } from './sandbox.js';

/** The help text of `baql sandbox` (the README repeats it). @since 0.1.0 */
export const SANDBOX_HELP = `Usage: baql sandbox [options]
       baql sandbox import <events.ndjson> --db <file> [--institution <id>]

Runs a local emulation of the Candescent Auth v2 and Banking Activity APIs with sample data.

Options:
  --port <n>               TCP port (0 = any free port; default 4010)
  --host <addr>            interface to listen on (default 127.0.0.1)
  --db <file|:memory:>     SQLite database (generated into when empty; default: a cache file)
  --seed <n>               generator seed (default 42)
  --events <n>             about how many events to generate (default 200000)
  --days <n>               days of history (default 90)
  --faults <spec>          faults, e.g. "latencyMs=50,jitterMs=20,errorRate=0.05" or JSON
                           (keys: latencyMs, jitterMs, errorRate, rateLimitRate, resetRate,
                           truncateRate, tokenTtlSeconds; env BAQL_SANDBOX_FAULTS)
  --token-ttl <seconds>    access-token lifetime (default 86400)
  --key-case <lower|camel> attribute-name case of answers (default lower)
  --require-account-read   also require the account:read scope (older docs)
  --reject-not-equal-like  answer BAS_10007 to notEqual/like filters
  --lookback-days <n>      maximum lookback of startTime (default 90)
  --admin                  enable GET/PUT /__admin/faults (loopback only)
  --config <file>          auth config JSON ({"clients":[...]})
  --quiet                  do not log requests
  -h, --help               show this help
`;

/** Parsed `baql sandbox` arguments. @since 0.1.0 */
export type SandboxArgs =
  | { readonly _tag: 'serve'; readonly options: SandboxOptions; readonly quiet: boolean }
  | {
      readonly _tag: 'import';
      readonly file: string;
      readonly db: string;
      readonly institutionId?: string;
    }
  | { readonly _tag: 'help' }
  | { readonly _tag: 'error'; readonly message: string };

const NUMERIC: Record<string, keyof SandboxOptions> = {
  '--port': 'port',
  '--seed': 'seed',
  '--events': 'events',
  '--days': 'days',
  '--token-ttl': 'tokenTtlSeconds',
  '--lookback-days': 'lookbackDays',
};

/**
 * Parses the arguments after `baql sandbox` (values, never exceptions). `BAQL_SANDBOX_FAULTS`
 * from `env` is used when `--faults` is absent.
 * @since 0.1.0
 */
export function parseSandboxArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): SandboxArgs {
  const args = [...argv];
  if (args.includes('-h') || args.includes('--help')) return { _tag: 'help' };
  if (args[0] === 'import') {
    const file = args[1];
    if (file === undefined || file.startsWith('--'))
      return {
        _tag: 'error',
        message: 'import needs a file: baql sandbox import <events.ndjson> --db <file>',
      };
    let db: string | undefined;
    let institutionId: string | undefined;
    for (let i = 2; i < args.length; i += 1) {
      const a = args[i];
      const v = args[i + 1];
      if ((a === '--db' || a === '--institution') && v !== undefined) {
        if (a === '--db') db = v;
        else institutionId = v;
        i += 1;
      } else return { _tag: 'error', message: `unknown import option ${a ?? ''}` };
    }
    if (db === undefined || db === ':memory:')
      return {
        _tag: 'error',
        message: 'import needs --db <file> (the database the sandbox will serve with --db)',
      };
    return { _tag: 'import', file, db, ...(institutionId !== undefined ? { institutionId } : {}) };
  }
  const options: Record<string, unknown> = {};
  let quiet = false;
  let faults: string | undefined = env.BAQL_SANDBOX_FAULTS;
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i] ?? '';
    const [flag, inline] =
      a.includes('=') && a.startsWith('--')
        ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
        : [a, undefined];
    const takeValue = (): string | undefined => {
      if (inline !== undefined) return inline;
      i += 1;
      return args[i];
    };
    const numeric = NUMERIC[flag];
    if (numeric) {
      const v = takeValue();
      const n = Number(v);
      if (v === undefined || v === '' || !Number.isInteger(n) || n < 0)
        return { _tag: 'error', message: `${flag} needs a non-negative integer` };
      options[numeric] = n;
      continue;
    }
    switch (flag) {
      case '--host':
      case '--db':
      case '--config': {
        const v = takeValue();
        if (v === undefined || v === '') return { _tag: 'error', message: `${flag} needs a value` };
        options[flag.slice(2)] = v;
        break;
      }
      case '--faults': {
        const v = takeValue();
        if (v === undefined) return { _tag: 'error', message: '--faults needs a spec' };
        faults = v;
        break;
      }
      case '--key-case': {
        const v = takeValue();
        if (v !== 'lower' && v !== 'camel')
          return { _tag: 'error', message: '--key-case is lower or camel' };
        options.keyCase = v;
        break;
      }
      case '--require-account-read':
        options.requireAccountRead = true;
        break;
      case '--reject-not-equal-like':
        options.rejectNotEqualLike = true;
        break;
      case '--admin':
        options.adminEnabled = true;
        break;
      case '--quiet':
        quiet = true;
        break;
      default:
        return { _tag: 'error', message: `unknown option ${a} (see baql sandbox --help)` };
    }
  }
  if (faults !== undefined) {
    const spec = parseFaultSpec(faults);
    if (!spec.ok) return { _tag: 'error', message: `--faults: ${spec.message}` };
    options.faults = spec.spec satisfies FaultSpec;
  }
  return { _tag: 'serve', options: options as SandboxOptions, quiet };
}

/** Where the CLI writes, and how it waits for the end (injectable for tests). @since 0.1.0 */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Resolves when the sandbox should stop (default: SIGINT or SIGTERM). */
  readonly until?: (sandbox: Sandbox) => Promise<void>;
}

const defaultIo: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

const waitForSignal = (): Promise<void> =>
  new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });

/** A banner with the URL, credentials, sample users and stories of a running sandbox. @since 0.1.0 */
export function sandboxBanner(s: Sandbox): string {
  const retail = s.users.find((u) => u.segment === 'retail');
  const business = s.users.find((u) => u.segment === 'business');
  return [
    `baql sandbox (SAMPLE DATA) listening on ${s.url}`,
    `  client id / secret: ${s.clientId} / ${s.clientSecret}   institution: ${s.institutionId}`,
    `  data: ${s.dataRange.events} events from ${s.dataRange.start} to ${s.dataRange.end} (${s.dbPath})`,
    retail ? `  retail user: ${retail.username} / ${retail.password}` : '',
    business
      ? `  business user: ${business.username} / ${business.password} (company ${business.companyId ?? ''})`
      : '',
    ...s.stories.map((st) => `  story: ${st.title} - ${st.loginId} at ${st.start}`),
    '',
  ]
    .filter((l, i, all) => l !== '' || i === all.length - 1)
    .join('\n');
}

/** Runs `baql sandbox ...`; resolves to the exit code. @since 0.1.0 */
export async function runSandboxCli(
  argv: readonly string[],
  io: CliIo = defaultIo,
): Promise<number> {
  const parsed = parseSandboxArgs(argv);
  switch (parsed._tag) {
    case 'help':
      io.out(SANDBOX_HELP);
      return 0;
    case 'error':
      io.err(`baql sandbox: ${parsed.message}\n`);
      return 2;
    case 'import': {
      try {
        const r = await importNdjson(parsed.file, {
          db: parsed.db,
          ...(parsed.institutionId !== undefined ? { institutionId: parsed.institutionId } : {}),
        });
        io.out(
          `imported ${r.imported} events into ${parsed.db}${r.skipped > 0 ? `, skipped ${r.skipped} lines` : ''}\n`,
        );
        for (const p of r.problems) io.err(`  ${p}\n`);
        return r.imported > 0 || r.skipped === 0 ? 0 : 1;
      } catch (e) {
        io.err(`baql sandbox import: ${e instanceof Error ? e.message : String(e)}\n`);
        return 1;
      }
    }
    case 'serve': {
      let sandbox: Sandbox;
      try {
        sandbox = await startSandbox({
          ...parsed.options,
          ...(parsed.quiet ? {} : { log: (line: string) => io.err(`${line}\n`) }),
        });
      } catch (e) {
        io.err(`baql sandbox: ${e instanceof Error ? e.message : String(e)}\n`);
        return 1;
      }
      io.out(sandboxBanner(sandbox));
      await (io.until ?? waitForSignal)(sandbox);
      await sandbox.close();
      return 0;
    }
  }
}

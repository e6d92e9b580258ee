/**
 * `baql serve`: opens a session for a profile and runs the HTTP service until SIGINT/SIGTERM,
 * then shuts down gracefully (in-flight streams get a deadline to finish).
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { openSession, type OpenSessionOptions } from '@baql/runtime';
import { ApiKeyConfigError, hashKey } from './api-keys.js';
import { createServer } from './app.js';
import type { ServerSession } from './options.js';
import { upstreamClientOptions } from './upstream.js';

/** The `--help` text of `baql serve` (kept identical to the README). */
export const SERVE_HELP = `Usage: baql serve [options]

Run the baql HTTP service (POST /v1/query, /openapi.json, /docs, /livez, /readyz, /metrics).

Options:
  --port <n>        port to listen on (default: $PORT or 8080; 0 picks a free port)
  --host <addr>     address to bind (default: 127.0.0.1; 0.0.0.0 for every interface)
  --profile <name>  baql profile to query (default: the config's default; "sandbox" runs the
                    embedded sandbox)
  --queries <dir>   directory of saved .baql queries served at /v1/queries
  --hash-key <key>  print the sha256 hash of an API key for BAQL_API_KEYS_FILE, then exit
  -h, --help        show this help

API keys (at least one is required):
  BAQL_API_KEYS="name=key,name=key"   development keys, with every right
  BAQL_API_KEYS_FILE=keys.json         [{"name", "sha256", "rights": {"query", "queries"}, "rateLimit": {"max", "windowMs"}}]
`;

interface ServeDeps {
  readonly openSession?: (options: {
    profile?: string;
    client?: Record<string, unknown>;
  }) => Promise<ServerSession>;
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
  /** Resolves when the server should stop (default: SIGINT or SIGTERM). */
  readonly stopSignal?: Promise<unknown>;
  /** Request logging (default true: JSON lines on stdout). */
  readonly logger?: boolean;
  /** Called once the server listens, with its address. */
  readonly onListening?: (address: string) => void;
}

async function defaultOpenSession(options: {
  profile?: string;
  client?: Record<string, unknown>;
}): Promise<ServerSession> {
  return openSession(options as OpenSessionOptions);
}

function signalPromise(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => () => resolve(sig);
    process.once('SIGINT', on('SIGINT'));
    process.once('SIGTERM', on('SIGTERM'));
  });
}

/**
 * Runs `baql serve` with `argv` (the arguments after `serve`; a leading `serve` is ignored).
 * Resolves with the exit code once the server has stopped.
 */
export async function runServe(argv: readonly string[], deps: ServeDeps = {}): Promise<number> {
  const out = deps.stdout ?? ((t: string) => process.stdout.write(t));
  const err = deps.stderr ?? ((t: string) => process.stderr.write(t));
  const args = argv[0] === 'serve' ? argv.slice(1) : [...argv];
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        profile: { type: 'string' },
        queries: { type: 'string' },
        'hash-key': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    err(`baql serve: ${error instanceof Error ? error.message : String(error)}\n\n${SERVE_HELP}`);
    return 2;
  }
  if (values.help === true) {
    out(SERVE_HELP);
    return 0;
  }
  if (values['hash-key'] !== undefined) {
    out(`${hashKey(values['hash-key'])}\n`);
    return 0;
  }
  const portText = values.port ?? process.env['PORT'] ?? '8080';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    err(`baql serve: --port must be a number from 0 to 65535, not "${portText}".\n`);
    return 2;
  }
  const host = values.host ?? '127.0.0.1';

  let session: ServerSession;
  try {
    session = await (deps.openSession ?? defaultOpenSession)({
      ...(values.profile === undefined ? {} : { profile: values.profile }),
      client: upstreamClientOptions(),
    });
  } catch (error) {
    err(
      `baql serve: could not open the profile: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
  let app;
  try {
    app = createServer({
      session,
      closeSession: true,
      logger: deps.logger ?? true,
      ...(values.queries === undefined ? {} : { queriesDir: values.queries }),
    });
  } catch (error) {
    await session.close?.();
    if (error instanceof ApiKeyConfigError) {
      err(`baql serve: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  try {
    const address = await app.listen({ port, host });
    deps.onListening?.(address);
    err(
      `baql serve: listening on ${address} (profile ${session.profileName ?? values.profile ?? 'default'}); docs at ${address}/docs\n`,
    );
  } catch (error) {
    await app.close();
    err(
      `baql serve: could not listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
  await (deps.stopSignal ?? signalPromise());
  err('baql serve: shutting down\n');
  await app.closeGracefully();
  return 0;
}

/**
 * `@baql/sandbox`: a faithful local emulation of the Candescent Authentication API v2 and
 * Banking Activity API on embedded SQLite, with realistic seeded sample data, fault injection
 * and a CLI. See the package README for the default credentials and a curl example.
 * @module
 */
export { startSandbox, SandboxError, type Sandbox, type SandboxOptions } from './sandbox.js';
export { parseFaultSpec, checkFaultSpec, type FaultSpec, type FaultResult } from './faults.js';
export {
  generateEvents,
  eventKind,
  SYSTEM_EVENT_IDS,
  GENERATED_EVENT_IDS,
  CANONICAL_NAMES,
  DEFAULT_USER_PASSWORD,
  type ActivityEvent,
  type GenerateOptions,
  type GeneratedData,
  type Story,
} from './generator.js';
export {
  cacheDir,
  openDataset,
  type SandboxUser,
  type DatasetInfo,
  type DatasetOptions,
  type Dataset,
} from './dataset.js';
export { importNdjson, type ImportOptions, type ImportResult } from './ndjson.js';
export {
  parseSandboxArgs,
  runSandboxCli,
  sandboxBanner,
  SANDBOX_HELP,
  type SandboxArgs,
  type CliIo,
} from './cli.js';
export {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_INSTITUTION_ID,
  PARTNER_CLIENT_ID,
  PARTNER_CLIENT_SECRET,
  DEFAULT_SCOPES,
  type SandboxConfigInput,
  type ClientConfigInput,
} from './config.js';
export { ERROR_CODES, type ErrorCode } from './errors.js';
export { hashSecret, compareValues, asFiniteNumber } from './store.js';

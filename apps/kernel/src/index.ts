/**
 * `@baql/kernel`: a Jupyter kernel (messaging protocol 5.4) for BAQL.
 *
 * - {@link createKernelHandler}: the pure protocol handler (messages in, messages out).
 * - {@link startKernelServer}: the thin ZeroMQ adapter (zeromq is loaded lazily).
 * - {@link installKernelSpec} / {@link runKernelCli}: `baql kernel install | run`.
 * - {@link openBaqlLanguage}: BAQL cells (queries, magics, rich results) on a runtime session.
 *
 * @since 0.1.0
 * @module
 */
export { createKernelHandler } from './handler.js';
export type {
  HistoryEntry,
  KernelHandler,
  KernelHandlerOptions,
  LogLevel,
  OutChannel,
} from './handler.js';
export type {
  CellContext,
  CellError,
  CellOutcome,
  Completeness,
  Completion,
  Inspection,
  KernelLanguage,
  LanguageInfo,
  MimeBundle,
} from './language.js';
export { PROTOCOL_VERSION, DELIMITER } from './protocol/types.js';
export type { Channel, Header, JsonObject, Message } from './protocol/types.js';
export { createSigner } from './protocol/signer.js';
export type { Signer, UnsupportedScheme } from './protocol/signer.js';
export { decode, encode, encodeFrames, describeWireError } from './protocol/wire.js';
export { jsonBytes, jsonFrame } from './protocol/json-bytes.js';
export type { WireError } from './protocol/wire.js';
export {
  parseConnection,
  readConnectionFile,
  describeConnectionError,
  endpoint,
  hasFreePorts,
  writeBoundPorts,
  PORT_NAMES,
} from './connection.js';
export type { ConnectionError, ConnectionInfo } from './connection.js';
export { startKernelServer, describeServerError } from './zmq-server.js';
export type { KernelServer, KernelServerOptions, ServerError } from './zmq-server.js';
export {
  installKernelSpec,
  kernelSpec,
  kernelDir,
  launcherPath,
  userDataDir,
  describeInstallError,
} from './kernelspec.js';
export type { InstallError, InstallOptions, Installed, KernelSpec } from './kernelspec.js';
export { runKernelCli, KERNEL_HELP } from './cli.js';
export type { CliIo, KernelCliOptions } from './cli.js';
export { parseCell, MAGIC_NAMES, MAGIC_HELP } from './magics.js';
export type { DisplayLimit, Magic, MagicError, ParsedCell } from './magics.js';
export { createBaqlLanguage, PROGRESS_DELAY_MS } from './baql-language.js';
export type { BaqlLanguage, BaqlLanguageOptions } from './baql-language.js';
export { openBaqlLanguage, baqlToolkit } from './baql-wiring.js';
export type { OpenBaqlLanguageOptions } from './baql-wiring.js';
export {
  columnSlots,
  DEFAULT_MAX_COLUMNS,
  layoutColumns,
  renderTextTable,
  summaryLine,
} from './render/table.js';
export type { ColumnLayout, ResultView, SummaryView, TableOptions } from './render/table.js';
export { renderHtmlTable, escapeHtml } from './render/html.js';
export { vegaLiteSpec, chartKindOf, VEGA_LITE_MIME } from './render/vega-lite.js';
export { resultBundles, toResultView, JSON_ROW_LIMIT } from './render/bundle.js';
export type { BundleOptions } from './render/bundle.js';

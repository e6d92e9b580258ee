/**
 * `baql`: the analyst REPL and batch CLI. The programmatic entry is {@link main}; the rest is
 * exported for tests and for embedding the renderers.
 *
 * @module
 */
export { main, VERSION } from './program.js';
export type { ConnectionOptions, ExplainCommandOptions, RunCommandOptions } from './program.js';
export { EXIT, processIo } from './io.js';
export type { CliIo } from './io.js';
export {
  OUTPUT_FORMATS,
  isOutputFormat,
  formatFromPath,
  cellText,
  inferColumns,
} from './output/format.js';
export type { OutputFormat, Row } from './output/format.js';
export { createSink, renderRows } from './output/sink.js';
export type { RowSink, SinkOptions } from './output/sink.js';
export { renderTable } from './output/table.js';
export { renderVertical } from './output/vertical.js';
export { renderMarkdown } from './output/markdown.js';
export { csvHeader, csvRows } from './output/csv.js';
export { streamWriter, stringWriter } from './output/writer.js';
export type { TextWriter } from './output/writer.js';
export { createProgressLine, progressText } from './progress.js';
export type { ProgressEvent, ProgressLine } from './progress.js';
export { bindSavedParams, savedQueryText, usedParams } from './saved.js';

/**
 * `@baql/query` — the BAQL query language: parser, planner, evaluator, pipeline, formatter,
 * completion, highlighting, explain and catalog. Pure: no I/O, deterministic given `now`.
 *
 * @since 0.1.0
 * @module
 */
export * from './contract.js';
export type * from './ast.js';
export * from './result.js';
export {
  renderDiagnostic,
  hasErrors,
  didYouMean,
  LineIndex,
  type Diagnostic,
  type Position,
  type Span,
  type Severity,
} from './diagnostic.js';
export {
  defaultCatalog,
  mergeCatalog,
  canonicalizeRecord,
  indexCatalog,
  type Catalog,
  type CatalogExtension,
  type CatalogIndex,
  type FieldDef,
  type FieldTarget,
  type AttributeDef,
  type EventDef,
} from './catalog.js';
export { parse, STAGE_NAMES, type ParseResult } from './parse.js';
export {
  resolve,
  type ResolvedQuery,
  type ResolveOptions,
  type ParamValue,
  type Window,
} from './resolve.js';
export type { Filter, Lit, LitOp } from './filter.js';
export {
  evaluate,
  matchesCriteria,
  compareNewestFirst,
  getAttr,
  compareValues,
  compareInstants,
  isTimeComparison,
  likeMatch,
  wildcardMatch,
} from './evaluate.js';
export {
  createPipeline,
  runPipeline,
  isAggregate,
  outputColumns,
  attributesNeeded,
  fieldValue,
  sortKeyOf,
  type Stage,
  type FieldRef,
  type Row,
  type RowSink,
  type PipelineContext,
} from './pipeline.js';
export {
  plan,
  planResolved,
  DEFAULT_CAPABILITIES,
  type Plan,
  type PlanOptions,
  type Residual,
  type Capabilities,
} from './planner.js';
export { printFilter, printValue, quote } from './print.js';
export { resolveTime, parseDuration, isValidTimeZone } from './time.js';
export { explain, stageText } from './explain.js';
export { format, formatExpr, formatStage, formatTime } from './format.js';
export {
  isComplete,
  highlight,
  complete,
  type Completeness,
  type HighlightCategory,
  type HighlightSpan,
  type CompletionItem,
  type Completions,
} from './assist.js';
export {
  parseSavedQuery,
  formatHeader,
  bindParams,
  checkParamValue,
  shiftDiagnostic,
  type SavedQuery,
  type SavedQueryMeta,
  type ParamSpec,
  type ParamType,
} from './saved-query.js';
export { checkSavedQuery } from './check.js';
export { isBlankQuery, macroReferences, type MacroReference } from './lexer.js';

/**
 * The syntax tree of a BAQL query. It keeps what the analyst wrote (field names as typed,
 * values, spans) but not the spelling of sugar: `-x`, `!x` and `NOT x` give the same node, as do
 * `f:(a OR b)`, `f:[a, b]` and `f IN (a, b)`, and juxtaposition and `AND`. So two queries that
 * format the same have equal trees (modulo spans).
 *
 * @since 0.1.0
 * @module
 */

/** Offsets `[start, end)` in the query text. @since 0.1.0 */
export interface TextRange {
  readonly start: number;
  readonly end: number;
}

/** A value as written: a bare word, a quoted string or a `$parameter`. @since 0.1.0 */
export interface ValueNode {
  readonly type: 'value';
  /** `word` (bare: wildcards apply), `string` (quoted: literal), `param` (`$name`, without `$`). */
  readonly kind: 'word' | 'string' | 'param';
  readonly text: string;
  readonly range: TextRange;
}

/** A field reference: `user`, `ReqCtx_ipAddress`, or the escape `attr["name"]`. @since 0.1.0 */
export interface FieldNode {
  readonly type: 'field';
  readonly name: string;
  /** True for `attr["…"]`: a raw attribute name, never an alias. */
  readonly escaped: boolean;
  readonly range: TextRange;
}

/** Value expressions inside `field:( … )`. @since 0.1.0 */
export type ValueExpr =
  | ValueNode
  | { readonly type: 'vor'; readonly items: readonly ValueExpr[]; readonly range: TextRange }
  | { readonly type: 'vand'; readonly items: readonly ValueExpr[]; readonly range: TextRange }
  | { readonly type: 'vnot'; readonly item: ValueExpr; readonly range: TextRange }
  | {
      readonly type: 'range';
      readonly low: ValueNode;
      readonly high: ValueNode;
      readonly range: TextRange;
    };

/** The comparison operators. `=` is foreign syntax (reported, read as `:`). @since 0.1.0 */
export type CompareOp = '>' | '>=' | '<' | '<=' | '!=';

/** A condition on one field. @since 0.1.0 */
export type TermNode =
  | {
      readonly type: 'match';
      readonly field: FieldNode;
      readonly value: ValueExpr;
      readonly range: TextRange;
    }
  | {
      readonly type: 'compare';
      readonly field: FieldNode;
      readonly op: CompareOp;
      readonly value: ValueNode;
      readonly range: TextRange;
    };

/** A time clause (`since 7d`, `between a and b`, `today`, …). @since 0.1.0 */
export interface TimeNode {
  readonly type: 'time';
  readonly form: 'since' | 'last' | 'between' | 'from' | 'until' | 'today' | 'yesterday';
  readonly from?: ValueNode;
  readonly to?: ValueNode;
  readonly range: TextRange;
}

/** Boolean expressions. @since 0.1.0 */
export type ExprNode =
  | TermNode
  | { readonly type: 'and'; readonly items: readonly ExprNode[]; readonly range: TextRange }
  | { readonly type: 'or'; readonly items: readonly ExprNode[]; readonly range: TextRange }
  | { readonly type: 'not'; readonly item: ExprNode; readonly range: TextRange }
  | { readonly type: 'error'; readonly range: TextRange };

/** A sort key of `sort`. @since 0.1.0 */
export interface SortKeyNode {
  readonly field: FieldNode;
  readonly direction?: 'asc' | 'desc';
}

/** A pipeline stage after `|`. @since 0.1.0 */
export type StageNode =
  | { readonly type: 'fields'; readonly fields: readonly FieldNode[]; readonly range: TextRange }
  | { readonly type: 'sort'; readonly keys: readonly SortKeyNode[]; readonly range: TextRange }
  | { readonly type: 'limit'; readonly count: ValueNode; readonly range: TextRange }
  | { readonly type: 'count'; readonly by: readonly FieldNode[]; readonly range: TextRange }
  | {
      readonly type: 'top';
      readonly count?: ValueNode;
      readonly field: FieldNode;
      readonly range: TextRange;
    }
  | { readonly type: 'dedup'; readonly fields: readonly FieldNode[]; readonly range: TextRange }
  | {
      readonly type: 'timechart';
      readonly interval: ValueNode;
      readonly by: readonly FieldNode[];
      readonly range: TextRange;
    }
  | { readonly type: 'unknown'; readonly name: string; readonly range: TextRange };

/** A `#` comment, kept for the formatter. @since 0.1.0 */
export interface CommentNode {
  readonly text: string;
  readonly range: TextRange;
}

/** A whole query. @since 0.1.0 */
export interface QueryNode {
  readonly type: 'query';
  readonly filter?: ExprNode;
  /** The time clauses (before or after the condition; they apply to the whole query). */
  readonly time: readonly TimeNode[];
  readonly stages: readonly StageNode[];
  readonly comments: readonly CommentNode[];
  readonly range: TextRange;
}

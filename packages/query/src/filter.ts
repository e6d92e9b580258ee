/**
 * The resolved filter: what a query's condition means, independent of how it was spelled.
 * Fields are resolved to record attributes (catalog spelling) or to the derived enums
 * `segment` and `kind`; time clauses are gone (they became the window).
 *
 * @since 0.1.0
 * @module
 */

/**
 * Literal operators:
 * - `eq`: attribute present and equal (case-sensitive);
 * - `like`: attribute present and matching a wildcard pattern (`*`, `?`; case-insensitive);
 * - `present`: attribute present with a non-empty value;
 * - `lt` `le` `gt` `ge`: attribute present; numeric comparison when both sides are numbers;
 * - `in`: the derived enum (`segment` or `kind`) is one of `values`.
 * @since 0.1.0
 */
export type LitOp = 'eq' | 'like' | 'present' | 'lt' | 'le' | 'gt' | 'ge' | 'in';

/** A condition on one attribute, possibly negated. @since 0.1.0 */
export interface Lit {
  readonly t: 'lit';
  /** Record attribute (catalog spelling), or `segment` / `kind` when `op` is `in`. */
  readonly field: string;
  readonly op: LitOp;
  /** The value (`''` for `present` and `in`). */
  readonly value: string;
  /** For `in`: the chosen values and every value of the enum. */
  readonly values?: readonly string[] | undefined;
  readonly universe?: readonly string[] | undefined;
  readonly neg: boolean;
}

/**
 * Builds a literal. Every literal has the same properties in the same order (absent lists are
 * `undefined`), so V8 sees one object shape wherever literals are read: the planner and the
 * evaluator read literals of every kind in the same places.
 * @since 0.1.0
 */
export function mkLit(
  field: string,
  op: LitOp,
  value: string,
  neg: boolean,
  values?: readonly string[],
  universe?: readonly string[],
): Lit {
  return { t: 'lit', field, op, value, values, universe, neg };
}

/** A boolean combination of literals. @since 0.1.0 */
export type Filter =
  | Lit
  | { readonly t: 'and'; readonly items: readonly Filter[] }
  | { readonly t: 'or'; readonly items: readonly Filter[] }
  | { readonly t: 'not'; readonly item: Filter }
  | { readonly t: 'const'; readonly value: boolean };

/** The constant true filter. @since 0.1.0 */
export const TRUE: Filter = { t: 'const', value: true };
/** The constant false filter. @since 0.1.0 */
export const FALSE: Filter = { t: 'const', value: false };

/** A literal's identity (for dedupe and "guaranteed by every request"). @since 0.1.0 */
export function litKey(l: Lit): string {
  return `${l.field.toLowerCase()}\u0000${l.op}\u0000${l.neg ? 1 : 0}\u0000${l.value}\u0000${(l.values ?? []).join('\u0001')}`;
}

function sameValues(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether two literals are the same condition (cheaper than comparing {@link litKey}s). */
function sameLit(a: Lit, b: Lit): boolean {
  return (
    a === b ||
    (a.op === b.op &&
      a.neg === b.neg &&
      a.value === b.value &&
      a.field === b.field &&
      sameValues(a.values, b.values))
  );
}

const NO_VALUES: readonly string[] = [];

/**
 * Whether two literals have the same {@link litKey} (the field compared case-insensitively, no
 * list the same as an empty one), without building the keys.
 * @since 0.1.0
 */
export function sameLitKey(a: Lit, b: Lit): boolean {
  if (a === b) return true;
  if (a.op !== b.op || a.neg !== b.neg || a.value !== b.value) return false;
  if (a.field !== b.field && a.field.toLowerCase() !== b.field.toLowerCase()) return false;
  return sameValues(a.values ?? NO_VALUES, b.values ?? NO_VALUES);
}

/**
 * Adds an item to a combination being built, dropping duplicate literals and neutral constants.
 * True when the item absorbs the whole combination (false in AND, true in OR).
 */
function pushItem(out: Filter[], p: Filter, absorbing: boolean): boolean {
  if (p.t === 'const') return p.value === absorbing;
  if (p.t === 'lit') for (const o of out) if (o.t === 'lit' && sameLit(o, p)) return false;
  out.push(p);
  return false;
}

function combine(kind: 'and' | 'or', items: readonly Filter[]): Filter {
  const absorbing = kind === 'or';
  const out: Filter[] = [];
  for (const it of items) {
    if (it.t === kind) {
      for (const p of it.items) if (pushItem(out, p, absorbing)) return absorbing ? TRUE : FALSE;
    } else if (pushItem(out, it, absorbing)) return absorbing ? TRUE : FALSE;
  }
  if (out.length === 0) return absorbing ? FALSE : TRUE;
  return out.length === 1 ? (out[0] as Filter) : { t: kind, items: out };
}

/** Builds a conjunction, flattening and folding constants. @since 0.1.0 */
export function and(items: readonly Filter[]): Filter {
  return combine('and', items);
}

/** Builds a disjunction, flattening and folding constants. @since 0.1.0 */
export function or(items: readonly Filter[]): Filter {
  return combine('or', items);
}

/** Negates a filter. @since 0.1.0 */
export function not(item: Filter): Filter {
  if (item.t === 'const') return item.value ? FALSE : TRUE;
  if (item.t === 'not') return item.item;
  return { t: 'not', item };
}

function negateLit(l: Lit): Filter {
  if (l.op === 'in') {
    const values = (l.universe ?? []).filter((v) => !(l.values ?? []).includes(v));
    if (values.length === 0) return FALSE;
    return mkLit(l.field, l.op, l.value, l.neg, values, l.universe);
  }
  return mkLit(l.field, l.op, l.value, !l.neg, l.values, l.universe);
}

/**
 * Negation normal form: `not` only on literals (as `neg`), enum negations turned into the
 * complement within the enum (`NOT segment:retail` → `segment:business`).
 * @since 0.1.0
 */
export function nnf(f: Filter, negate = false): Filter {
  switch (f.t) {
    case 'lit':
      if (f.op === 'in' && (f.values ?? []).length === 0) return negate ? TRUE : FALSE;
      return negate ? negateLit(f) : f;
    case 'const':
      return negate ? not(f) : f;
    case 'not':
      return nnf(f.item, !negate);
    case 'and':
      return negate ? or(f.items.map((i) => nnf(i, true))) : and(f.items.map((i) => nnf(i, false)));
    case 'or':
      return negate ? and(f.items.map((i) => nnf(i, true))) : or(f.items.map((i) => nnf(i, false)));
  }
}

/** Every literal of a filter. @since 0.1.0 */
export function literals(f: Filter, out: Lit[] = []): Lit[] {
  switch (f.t) {
    case 'lit':
      out.push(f);
      break;
    case 'not':
      literals(f.item, out);
      break;
    case 'and':
    case 'or':
      for (const i of f.items) literals(i, out);
      break;
    default:
      break;
  }
  return out;
}

/**
 * Simplifies a filter knowing that every literal in `known` holds (`known` maps
 * {@link litKey} to true/false).
 * @since 0.1.0
 */
export function assume(f: Filter, known: ReadonlyMap<string, boolean>): Filter {
  switch (f.t) {
    case 'lit': {
      const v = known.get(litKey(f));
      return v === undefined ? f : v ? TRUE : FALSE;
    }
    case 'not':
      return not(assume(f.item, known));
    case 'and':
      return and(f.items.map((i) => assume(i, known)));
    case 'or':
      return or(f.items.map((i) => assume(i, known)));
    default:
      return f;
  }
}

/**
 * A small, short-lived cache of compiled plans (and of compile failures), keyed by query text and
 * parameters. Dashboards send the same query over and over; the planner's work (parse, resolve,
 * plan) is most of the cost of `:compile` and `:validate`. Entries live `ttlMs` (default 1 s), so
 * a relative window (`since 1d`) is at most that old; execution always compiles afresh.
 *
 * @module
 */

/** A compile outcome: the plan, or what was thrown. */
export type Compiled<P> =
  { readonly ok: true; readonly plan: P } | { readonly ok: false; readonly error: unknown };

/** LRU + TTL cache of compile outcomes. */
export class PlanCache<P> {
  readonly #entries = new Map<string, { readonly at: number; readonly value: Compiled<P> }>();
  readonly #max: number;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(max = 512, ttlMs = 1000, now: () => number = () => performance.now()) {
    this.#max = max;
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  /** The key of a query text with its parameters. */
  static key(text: string, params: unknown): string {
    return params === undefined ? text : `${text}\u0000${JSON.stringify(params)}`;
  }

  /** The cached outcome of `key`, or the outcome of `compile` (then cached). */
  get(key: string, compile: () => P): P {
    const now = this.#now();
    const hit = this.#entries.get(key);
    let value: Compiled<P>;
    if (hit !== undefined && now - hit.at <= this.#ttlMs) {
      value = hit.value;
    } else {
      try {
        value = { ok: true, plan: compile() };
      } catch (error) {
        value = { ok: false, error };
      }
      this.#entries.delete(key);
      this.#entries.set(key, { at: now, value });
      if (this.#entries.size > this.#max) {
        const oldest = this.#entries.keys().next();
        if (oldest.done !== true) this.#entries.delete(oldest.value);
      }
    }
    if (value.ok) return value.plan;
    throw value.error;
  }
}

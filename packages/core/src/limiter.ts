/**
 * An adaptive concurrency limiter (AIMD): at most `limit` operations run at once; a throttle
 * answer (429 or a quota/spike code) halves the limit, and successes grow it back to the maximum.
 *
 * @module
 */

/** Bounds concurrent requests and backs off on throttling. */
export class Limiter {
  #limit: number;
  #active = 0;
  #successes = 0;
  readonly #waiters: (() => void)[] = [];
  /** @param max - the most operations at once (the configured concurrency). */
  constructor(readonly max: number) {
    this.#limit = Math.max(1, max);
  }
  /** The current limit (≤ `max`). */
  get limit(): number {
    return this.#limit;
  }
  /** Operations running now. */
  get active(): number {
    return this.#active;
  }
  /** Runs `fn` when a slot is free; an `urgent` caller goes before the others waiting. */
  async run<A>(fn: () => Promise<A>, signal?: AbortSignal, urgent = false): Promise<A> {
    await this.#acquire(signal, urgent);
    try {
      return await fn();
    } finally {
      this.#release();
    }
  }
  /** Records a throttle answer: halve the limit. */
  throttled(): void {
    this.#limit = Math.max(1, Math.floor(this.#limit / 2));
    this.#successes = 0;
  }
  /** Records a success: after `limit` successes in a row, allow one more. */
  succeeded(): void {
    if (this.#limit >= this.max) return;
    this.#successes += 1;
    if (this.#successes >= this.#limit) {
      this.#limit += 1;
      this.#successes = 0;
      this.#wake();
    }
  }
  #acquire(signal: AbortSignal | undefined, urgent: boolean): Promise<void> {
    if (this.#active < this.#limit) {
      this.#active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const i = this.#waiters.indexOf(go);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(signal?.reason);
      };
      const go = () => {
        signal?.removeEventListener('abort', onAbort);
        this.#active += 1;
        resolve();
      };
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (urgent) this.#waiters.unshift(go);
      else this.#waiters.push(go);
    });
  }
  #release(): void {
    this.#active -= 1;
    this.#wake();
  }
  #wake(): void {
    while (this.#active < this.#limit && this.#waiters.length > 0) this.#waiters.shift()?.();
  }
}

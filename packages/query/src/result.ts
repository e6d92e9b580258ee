/**
 * A minimal `Either`: `{_tag: 'Left', left}` or `{_tag: 'Right', right}`.
 *
 * The shape is the one fp-ts uses, so the core can hand these values to fp-ts functions as they
 * are, while `@baql/query` stays free of dependencies other than chevrotain.
 *
 * @since 0.1.0
 * @module
 */

/** The failure side. @since 0.1.0 */
export interface Left<E> {
  readonly _tag: 'Left';
  readonly left: E;
}

/** The success side. @since 0.1.0 */
export interface Right<A> {
  readonly _tag: 'Right';
  readonly right: A;
}

/** A value or a failure, never an exception. @since 0.1.0 */
export type Result<E, A> = Left<E> | Right<A>;

/** Builds a failure. @since 0.1.0 */
export const left = <E, A = never>(e: E): Result<E, A> => ({ _tag: 'Left', left: e });

/** Builds a success. @since 0.1.0 */
export const right = <A, E = never>(a: A): Result<E, A> => ({ _tag: 'Right', right: a });

/** Whether a result is a failure. @since 0.1.0 */
export const isLeft = <E, A>(r: Result<E, A>): r is Left<E> => r._tag === 'Left';

/** Whether a result is a success. @since 0.1.0 */
export const isRight = <E, A>(r: Result<E, A>): r is Right<A> => r._tag === 'Right';

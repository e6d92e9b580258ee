/**
 * Hands messages to a ZeroMQ socket in order, at once when the socket takes them.
 *
 * zeromq 6 takes one send at a time. Most complete at once (the message is queued for the I/O
 * thread), and then the next can be handed over at once too. One that must wait (a full queue,
 * or zeromq.js deferring one send in 512 so that the event loop is not starved) makes the socket
 * refuse further sends with `EBUSY` until it is done: those wait behind it, in order. Handing
 * each message over through a promise chain instead cost a few promises and a later turn per
 * message, which showed in the round trip of a notebook cell.
 *
 * @since 0.1.0
 * @module
 */

/** The socket side a {@link SendQueue} needs. @since 0.1.0 */
export interface SendSocket {
  send(frames: (Buffer | string)[]): Promise<void>;
}

/** An ordered queue of sends on one socket. @since 0.1.0 */
export interface SendQueue {
  /** Sends `frames` after every message given before them; failures go to `onError`. */
  send(frames: (Buffer | string)[]): void;
  /** Resolves once every message given so far was handed to the socket (or failed). */
  flush(): Promise<void>;
}

const busy = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EBUSY';

/**
 * Creates the send queue of `socket`.
 *
 * @example
 * const out = createSendQueue(router, (error) => log('error', String(error)));
 * out.send([identity, '<IDS|MSG>', signature, header, parent, metadata, content]);
 * @since 0.1.0
 */
export function createSendQueue(socket: SendSocket, onError: (error: unknown) => void): SendQueue {
  /** The latest send handed over or chained: what a waiting send waits for. */
  let last: Promise<void> = Promise.resolve();
  /** Sends chained behind one the socket did not finish at once. */
  let waiting = 0;
  const behind = (frames: (Buffer | string)[]): void => {
    waiting += 1;
    last = last
      .then(() => socket.send(frames))
      .catch(onError)
      .then(() => {
        waiting -= 1;
      });
  };
  return {
    send: (frames) => {
      // Once one waits, every later one waits too: none may overtake it.
      if (waiting > 0) {
        behind(frames);
        return;
      }
      let sent: Promise<void>;
      try {
        sent = socket.send(frames);
      } catch (error) {
        if (busy(error)) behind(frames);
        else onError(error);
        return;
      }
      last = sent.catch(onError);
    },
    flush: () => last,
  };
}

import { Dealer, Router } from 'zeromq';
import { afterEach, describe, expect, it } from 'vitest';
import { createSendQueue } from '../src/send-queue.js';

const sockets: { close(): void }[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

/** A router and a connected dealer whose identity the router has learnt. */
const pair = async (highWaterMark: number) => {
  const router = new Router({ linger: 0, sendHighWaterMark: highWaterMark, mandatory: true });
  await router.bind('tcp://127.0.0.1:*');
  const dealer = new Dealer({ linger: 0, routingId: 'peer', receiveHighWaterMark: highWaterMark });
  sockets.push(router, dealer);
  dealer.connect(router.lastEndpoint as string);
  await dealer.send('hello');
  const [identity] = await router.receive();
  return { router, dealer, identity: identity as Buffer };
};

describe('send queue', () => {
  it('hands every message over in order, those the socket refuses while busy included', async () => {
    // A high-water mark of 1: the router soon has to wait for the dealer, and refuses sends
    // (EBUSY) until it may go on. 2,000 messages given in one turn must all arrive, in order.
    const { router, dealer, identity } = await pair(1);
    const errors: unknown[] = [];
    let refused = 0;
    const watched = {
      send: (frames: (Buffer | string)[]) => {
        try {
          return router.send(frames);
        } catch (error) {
          refused += 1;
          throw error;
        }
      },
    };
    const out = createSendQueue(watched, (error) => errors.push(error));
    const count = 2000;
    for (let i = 0; i < count; i += 1) out.send([identity, `m${i}`]);
    const received: string[] = [];
    while (received.length < count) {
      const [frame] = await dealer.receive();
      received.push(String(frame));
    }
    await out.flush();
    expect(errors).toEqual([]);
    // The socket did refuse one while busy: the waiting path was taken.
    expect(refused).toBeGreaterThan(0);
    expect(received).toEqual(Array.from({ length: count }, (_, i) => `m${i}`));
  });

  it('sends at once when the socket takes the message', async () => {
    const { router, dealer, identity } = await pair(1000);
    let calls = 0;
    const counting = {
      send: (frames: (Buffer | string)[]) => {
        calls += 1;
        return router.send(frames);
      },
    };
    const out = createSendQueue(counting, () => undefined);
    out.send([identity, 'now']);
    // Handed to the socket before the caller's turn ends, not a promise turn later.
    expect(calls).toBe(1);
    await out.flush();
    expect(String((await dealer.receive())[0])).toBe('now');
  });

  it('reports a failed send and goes on with the next', async () => {
    const { router, dealer, identity } = await pair(1000);
    const errors: string[] = [];
    const out = createSendQueue(router, (error) => errors.push((error as Error).message));
    // An unknown peer with `mandatory`: the router refuses it as unroutable.
    out.send([Buffer.from('nobody'), 'lost']);
    out.send([identity, 'after']);
    await out.flush();
    expect(errors).toHaveLength(1);
    expect(String((await dealer.receive())[0])).toBe('after');
  });
});

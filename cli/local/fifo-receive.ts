/**
 * GAP in fauxqs 1.9.2, filled: a FIFO ReceiveMessage returns at most one message of each message group
 * (its dequeue stops after the first), where SQS returns up to ten of one group, in order, and keeps the
 * group locked while any is in flight. Locally the audit chainer would get one event per agency per
 * batch. This wraps each FIFO queue's dequeue: after each pass it unlocks the groups this receive itself
 * took from (never one another receive holds), takes again, and locks them back with every message now
 * in flight, until the receive is full or nothing more is there.
 */

interface FifoQueue {
  dequeueFifo(maxCount: number, visibility?: number, dlqResolver?: unknown): unknown[];
  fifoLockedGroups: Map<string, number>;
}

interface QueueStore {
  createQueue(...args: unknown[]): unknown;
}

const SQS_MAX_RECEIVE = 10;

export function receiveWholeFifoGroups(store: QueueStore): void {
  const create = store.createQueue.bind(store);
  store.createQueue = (...args: unknown[]) => {
    const queue = create(...args) as Partial<FifoQueue>;
    if (typeof queue.dequeueFifo === 'function' && queue.fifoLockedGroups instanceof Map)
      wrapDequeue(queue as FifoQueue);
    return queue;
  };
}

function wrapDequeue(queue: FifoQueue): void {
  const once = queue.dequeueFifo.bind(queue);
  queue.dequeueFifo = (maxCount, visibility, dlqResolver) => {
    const want = Math.min(maxCount, SQS_MAX_RECEIVE);
    const taken: unknown[] = [];
    // The groups this receive took from, with how many of each are now in flight because of it.
    const ours = new Map<string, number>();
    while (taken.length < want) {
      for (const group of ours.keys()) queue.fifoLockedGroups.delete(group);
      const before = new Map(queue.fifoLockedGroups);
      const got = once(want - taken.length, visibility, dlqResolver);
      for (const [group, locks] of queue.fifoLockedGroups) {
        const added = locks - (before.get(group) ?? 0);
        if (added > 0) ours.set(group, (ours.get(group) ?? 0) + added);
      }
      for (const [group, inFlight] of ours) queue.fifoLockedGroups.set(group, inFlight);
      if (got.length === 0) break;
      taken.push(...got);
    }
    return taken;
  };
}

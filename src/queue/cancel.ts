import type { Registry } from '../registry/registry.js';
import { queueStore, untrack, withQueueLock } from './store.js';

export const CANCELLED = 'cancelled before it started';

/**
 * `stop` of a queued run: under the queue lock, so no dispatcher starts it meanwhile, it becomes
 * `stopped` without ever starting. False when it was no longer queued (a dispatcher got to it
 * first): then it is stopped like any live run.
 */
export async function cancelQueued(registry: Registry, id: string): Promise<boolean> {
  const store = queueStore(registry.runsDir);
  return withQueueLock(store, async () => {
    const updated = registry.update(id, (record) =>
      record.status.state === 'queued'
        ? { ...record, status: { state: 'stopped', endedAt: new Date().toISOString(), exitCode: null, signal: null, reason: CANCELLED } }
        : record,
    );
    const cancelled = updated.status.state === 'stopped' && updated.status.reason === CANCELLED;
    if (cancelled) untrack(store, id);
    return cancelled;
  });
}

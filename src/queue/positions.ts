import type { RunRecord } from '../registry/record.js';
import { Registry } from '../registry/registry.js';
import { type WaitingRun, queueOrder } from './plan.js';
import { queueStore, trackedIds } from './store.js';

/** Every queued run of the runs directory in queue order (position 1 starts next), from the tracked records only. */
export function queueOrderOf(runsDir: string): string[] {
  const registry = new Registry(runsDir);
  const waiting: WaitingRun[] = [];
  for (const id of trackedIds(queueStore(runsDir))) {
    const read = registry.readRaw(id);
    if (!read.ok) continue;
    const { record } = read.run;
    if (record.status.state !== 'queued') continue;
    waiting.push({ id, priority: record.queue?.priority ?? 0, enqueuedAt: record.queue?.enqueuedAt ?? record.createdAt, after: [], gpus: 0 });
  }
  return waiting.sort(queueOrder).map((run) => run.id);
}

/** A queued run's place (1-based) and why it waits. */
export function queuePlace(runsDir: string, record: RunRecord): { position: number; reason: string } {
  const position = queueOrderOf(runsDir).indexOf(record.id) + 1;
  const reason = record.status.state === 'queued' ? (record.status.reason ?? 'waiting') : record.status.state;
  return { position: position || 1, reason };
}

/** The state (and reason, GPUs) a start or sweep reports for a run it made, for --json. */
export function launchState(record: RunRecord): { state: string; reason?: string; gpus?: number[] } {
  const status = record.status;
  return {
    state: status.state,
    ...('reason' in status && status.reason ? { reason: status.reason } : {}),
    ...(record.gpus ? { gpus: record.gpus } : {}),
  };
}

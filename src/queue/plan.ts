import type { RunState } from '../registry/record.js';

/**
 * Who starts next, and on which GPUs: pure, from plain data. The dispatcher (queue/dispatch.ts)
 * gathers the facts under the queue lock and carries the decisions out.
 */

/** The queue's limits, as the dispatcher sees them (a pool of 'auto' already read from nvidia-smi). */
export interface QueueSettings {
  /** null: no limit on runs at once. */
  maxParallel: number | null;
  /** null: no GPU pool. */
  pool: number[] | null;
  runsPerGpu: number;
}

/** No queue section: no limit on runs at once and no GPU pool. */
export const NO_LIMITS: QueueSettings = { maxParallel: null, pool: null, runsPerGpu: 1 };

/** A run that holds a slot and its GPUs: starting, running, or ended with processes still alive. */
export interface ActiveRun {
  id: string;
  gpus: readonly number[];
}

export interface WaitingRun {
  id: string;
  priority: number;
  enqueuedAt: string;
  after: readonly string[];
  gpus: number;
}

export type Decision =
  | { kind: 'start'; id: string; gpus: number[] }
  | { kind: 'fail'; id: string; reason: string }
  | { kind: 'wait'; id: string; reason: string; position: number };

export interface DispatchInput {
  settings: QueueSettings;
  active: readonly ActiveRun[];
  waiting: readonly WaitingRun[];
  /** The state of each run a waiting run comes after; undefined when its record is gone. */
  stateOf: (id: string) => RunState | undefined;
}

const FAILED_DEPENDENCY: readonly RunState[] = ['failed', 'stopped', 'lost'];

/** Higher priority first, then the oldest, then by id so the order is total. */
export function queueOrder(a: WaitingRun, b: WaitingRun): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.enqueuedAt !== b.enqueuedAt) return a.enqueuedAt < b.enqueuedAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Walks the queue in order and starts every run whose slot, GPUs and dependencies are there. A run
 * that cannot start does not hold back a later one that can (a 1-GPU run goes ahead of a 4-GPU run
 * waiting for a whole free machine); the trade is that a big request can wait behind a stream of
 * small ones.
 */
export function planDispatch(input: DispatchInput): Decision[] {
  const { settings } = input;
  const usage = new Map<number, number>((settings.pool ?? []).map((gpu) => [gpu, 0]));
  for (const run of input.active) for (const gpu of run.gpus) if (usage.has(gpu)) usage.set(gpu, usage.get(gpu)! + 1);
  let running = input.active.length;
  const decisions: Decision[] = [];
  let position = 0;
  for (const run of [...input.waiting].sort(queueOrder)) {
    const dependency = dependencyVerdict(run, input.stateOf);
    if (dependency.kind === 'fail') {
      decisions.push({ kind: 'fail', id: run.id, reason: dependency.reason });
      continue;
    }
    position++;
    if (dependency.kind === 'wait') {
      decisions.push({ kind: 'wait', id: run.id, reason: dependency.reason, position });
      continue;
    }
    if (settings.maxParallel !== null && running >= settings.maxParallel) {
      decisions.push({ kind: 'wait', id: run.id, reason: `waiting for a slot (${running} of ${settings.maxParallel} running)`, position });
      continue;
    }
    const gpus = pickGpus(usage, run.gpus, settings.runsPerGpu);
    if (gpus === null) {
      const busy = [...usage.values()].filter((used) => used >= settings.runsPerGpu).length;
      const noun = run.gpus === 1 ? 'a GPU' : `${run.gpus} GPUs`;
      decisions.push({ kind: 'wait', id: run.id, reason: `waiting for ${noun} (${busy} of ${usage.size} busy)`, position });
      continue;
    }
    for (const gpu of gpus) usage.set(gpu, usage.get(gpu)! + 1);
    running++;
    position--;
    decisions.push({ kind: 'start', id: run.id, gpus });
  }
  return decisions;
}

function dependencyVerdict(run: WaitingRun, stateOf: DispatchInput['stateOf']): { kind: 'ready' } | { kind: 'wait' | 'fail'; reason: string } {
  const pending: string[] = [];
  for (const id of run.after) {
    const state = stateOf(id);
    if (state === undefined) return { kind: 'fail', reason: `dependency ${id} failed (its record is gone)` };
    if (FAILED_DEPENDENCY.includes(state)) return { kind: 'fail', reason: `dependency ${id} failed` };
    if (state !== 'succeeded') pending.push(`${id} (${state})`);
  }
  return pending.length ? { kind: 'wait', reason: `after ${pending.join(', ')}` } : { kind: 'ready' };
}

/**
 * The `count` least used GPUs that still have room (lowest index on a tie), so runs spread over
 * the pool before they share; null when there are not enough.
 */
export function pickGpus(usage: ReadonlyMap<number, number>, count: number, runsPerGpu: number): number[] | null {
  if (count === 0) return [];
  const free = [...usage.entries()].filter(([, used]) => used < runsPerGpu).sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  if (free.length < count) return null;
  return free
    .slice(0, count)
    .map(([gpu]) => gpu)
    .sort((a, b) => a - b);
}

/** Why a request can never be met by this queue (more GPUs than the pool has); null when it can. */
export function impossibleRequest(settings: QueueSettings, gpus: number): string | null {
  if (gpus === 0) return null;
  if (settings.pool === null) {
    return `--gpus ${gpus}: no GPU pool is configured: set queue.gpus in runs.config.ts (e.g. gpus: [0, 1] or 'auto')`;
  }
  if (gpus > settings.pool.length) {
    return `--gpus ${gpus}: the GPU pool has only ${settings.pool.length} (${settings.pool.join(', ')}): ask for at most ${settings.pool.length}, or add GPUs to queue.gpus`;
  }
  return null;
}

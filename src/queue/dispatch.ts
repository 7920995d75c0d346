import { describeError } from '../errors.js';
import { runEnvironment, stringEnv } from '../registry/run-environment.js';
import { runLayout } from '../registry/run-dir/index.js';
import { isAlive, pollUntil, processRef, withoutRunIdentity } from '../process/index.js';
import { type RunRecord, type RunState, isEnded } from '../registry/record.js';
import { Registry, type StoredRun } from '../registry/registry.js';
import { observeRecord, supervisorFor } from '../supervisor/index.js';
import { runIdsWithProcesses } from './occupancy.js';
import { type ActiveRun, type Decision, NO_LIMITS, type QueueSettings, type WaitingRun, planDispatch } from './plan.js';
import { type QueueStore, dispatchHeld, dropEnv, queueStore, readEnv, readSettings, trackedIds, untrack, withQueueLock } from './store.js';

const UP_TIMEOUT_MS = 60_000;

export interface PassResult {
  started: string[];
  failed: string[];
  /** Runs still queued after the pass. */
  waiting: number;
}

/**
 * One dispatch pass: under the queue lock, look at every tracked run, decide (queue/plan.ts), and
 * write the decisions into the records: a run to start becomes `starting` with this process as its
 * launcher and its GPUs recorded. Then, outside the lock, hand each to pm2 and wait until its runner
 * has taken it (the runner takes a `starting` run only while its launcher lives: runner/claim.ts).
 * `whenIdle` runs under the lock when nothing is left queued (the dispatcher's exit).
 */
export async function dispatchPass(runsDir: string, whenIdle?: () => void): Promise<PassResult> {
  const store = queueStore(runsDir);
  const registry = new Registry(runsDir, observeRecord);
  const decided = await withQueueLock(store, async () => {
    const result = decideAndMark(store, registry);
    if (result.waiting === 0) whenIdle?.();
    return result;
  });
  // One pm2 call at a time: the pm2 module is one connection per process, and two starts in
  // parallel from one process disconnected each other (a start hung for good in the reliability case).
  const handedOver: string[] = [];
  for (const run of decided.toStart) if (await handOver(store, registry, run)) handedOver.push(run.record.id);
  await Promise.all(handedOver.map((id) => untilUp(registry, id)));
  return { started: decided.toStart.map((run) => run.record.id), failed: decided.failed, waiting: decided.waiting };
}

interface Marked {
  toStart: StoredRun[];
  failed: string[];
  waiting: number;
}

function decideAndMark(store: QueueStore, registry: Registry): Marked {
  const settings = readSettings(store) ?? NO_LIMITS;
  const carriers = runIdsWithProcesses();
  const active: ActiveRun[] = [];
  const waiting: WaitingRun[] = [];
  const states = new Map<string, RunState | undefined>();
  for (const id of trackedIds(store)) {
    const read = registry.read(id);
    if (!read.ok) {
      untrack(store, id);
      continue;
    }
    const { record } = read.run;
    states.set(id, record.status.state);
    if (record.status.state === 'queued') {
      waiting.push({ id, priority: record.queue?.priority ?? 0, enqueuedAt: record.queue?.enqueuedAt ?? record.createdAt, after: record.queue?.after ?? [], gpus: record.queue?.gpus ?? 0 });
    } else if (holdsResources(record, carriers)) {
      active.push({ id, gpus: record.gpus ?? [] });
    } else {
      untrack(store, id);
    }
  }
  const stateOf = (id: string): RunState | undefined => {
    if (!states.has(id)) {
      const read = registry.read(id);
      states.set(id, read.ok ? read.run.record.status.state : undefined);
    }
    return states.get(id);
  };
  const held = dispatchHeld(store);
  const decisions = planDispatch({ settings, active, waiting, stateOf }).filter((decision) => !(held && decision.kind === 'start'));
  const marked = apply(store, registry, settings, decisions);
  if (held) marked.waiting += waiting.length - decisions.filter((decision) => decision.kind !== 'start').length;
  return marked;
}

/** A run holds its slot and GPUs until it has ended and no process of it is left. */
function holdsResources(record: RunRecord, carriers: Set<string> | null): boolean {
  if (!isEnded(record.status)) return true;
  if (carriers?.has(record.id)) return true;
  return record.pid !== undefined && isAlive({ pid: record.pid, startTime: record.pidStartTime });
}

function apply(store: QueueStore, registry: Registry, settings: QueueSettings, decisions: Decision[]): Marked {
  const marked: Marked = { toStart: [], failed: [], waiting: 0 };
  const me = processRef(process.pid);
  for (const decision of decisions) {
    try {
      const updated = registry.update(decision.id, (record) => {
        if (record.status.state !== 'queued') return record;
        switch (decision.kind) {
          case 'start':
            return { ...record, status: { state: 'starting' }, launcher: me, ...(settings.pool !== null ? { gpus: decision.gpus } : {}) };
          case 'fail':
            return { ...record, status: { state: 'failed', endedAt: new Date().toISOString(), exitCode: null, signal: null, reason: decision.reason } };
          case 'wait':
            return record.status.reason === decision.reason ? record : { ...record, status: { state: 'queued', reason: decision.reason } };
        }
      });
      if (decision.kind === 'start' && updated.status.state === 'starting' && updated.launcher.pid === me.pid) {
        marked.toStart.push({ record: updated, layout: runLayout(registry.runsDir, decision.id) });
      } else if (decision.kind === 'fail') {
        dropEnv(store, decision.id);
        marked.failed.push(decision.id);
      } else if (updated.status.state === 'queued') {
        marked.waiting++;
      }
    } catch {
      // A record that cannot be written now (a full disk) is tried again on the next pass.
      if (decision.kind !== 'fail') marked.waiting++;
    }
  }
  return marked;
}


/** Hands a run marked `starting` to pm2 with the environment it was queued with; false when that failed (recorded). */
async function handOver(store: QueueStore, registry: Registry, run: StoredRun): Promise<boolean> {
  const { id } = run.record;
  const base = readEnv(store, id) ?? withoutRunIdentity(stringEnv(process.env));
  try {
    const supervisor = await supervisorFor(run.record.backend, registry);
    await withTimeLimit(supervisor.start(run, runEnvironment(base, run)), UP_TIMEOUT_MS);
  } catch (error) {
    markStartFailed(registry, id, `the supervisor could not start it: ${describeError(error)}`);
    return false;
  }
  dropEnv(store, id);
  return true;
}

/** Waits until the runner has taken the run (or it failed); past the limit it is recorded failed. */
async function untilUp(registry: Registry, id: string): Promise<void> {
  const up = await pollUntil(() => {
    const read = registry.readRaw(id);
    return !read.ok || read.run.record.status.state !== 'starting';
  }, UP_TIMEOUT_MS, 15);
  if (!up) markStartFailed(registry, id, `it did not come up within ${UP_TIMEOUT_MS / 1000} s`);
}

function withTimeLimit<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from pm2 within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

function markStartFailed(registry: Registry, id: string, reason: string): void {
  try {
    registry.update(id, (r) =>
      r.status.state === 'starting' ? { ...r, status: { state: 'failed', endedAt: new Date().toISOString(), exitCode: null, signal: null, reason } } : r,
    );
  } catch {
    // unwritable: the observer shows it lost once this process is gone
  }
}

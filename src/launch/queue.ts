import type { ResolvedConfig } from '../config/schema.js';
import { RuntimeError, UsageError } from '../errors.js';
import type { LaunchPlan } from './plan.js';
import { pollUntil } from '../process/index.js';
import type { RunRecord } from '../registry/record.js';
import type { Registry, StoredRun } from '../registry/registry.js';
import { backendOf } from '../supervisor/index.js';
import { dispatchPass } from '../queue/dispatch.js';
import { ensureDispatcher } from '../queue/dispatcher.js';
import { detectGpus } from '../resources/gpu.js';
import { NO_LIMITS, type QueueSettings, impossibleRequest } from '../queue/plan.js';
import { queueStore, track, writeSettings } from '../queue/store.js';

/** What a launch through the queue has settled before anything is made. */
export interface PreparedQueue {
  settings: QueueSettings;
  fields: Pick<RunRecord, 'queue'>;
}

/**
 * Whether this launch goes through rl-run's queue, checked before anything is made: with a `queue`
 * section every pm2 run does (so every run counts against the limits), and with none only a run
 * with --after. A SLURM run waits in SLURM's own queue. Null: start at once, as before.
 */
export function prepareQueue(plan: LaunchPlan, config: ResolvedConfig, registry: Registry): PreparedQueue | null {
  const request = plan.request ?? { gpus: 0, priority: 0, after: [] };
  if (!backendOf(plan.backend).usesQueue) {
    if (request.after.length) throw new UsageError(`--after works on rl-run's own queue, not with backend ${plan.backend}: leave it out, or start with --backend pm2`);
    return null;
  }
  if (config.queue === null && request.after.length === 0) {
    const problem = impossibleRequest(NO_LIMITS, request.gpus);
    if (problem) throw new UsageError(problem);
    return null;
  }
  const settings = resolveSettings(config);
  const problem = impossibleRequest(settings, request.gpus);
  if (problem) throw new UsageError(problem);
  const after = [...new Set(request.after.map((selector) => registry.resolve(selector).record.id))];
  return {
    settings,
    fields: { queue: { priority: request.priority, after, gpus: request.gpus, enqueuedAt: new Date().toISOString() } },
  };
}

/** The limits to dispatch by; a pool of 'auto' is read from nvidia-smi now. */
export function resolveSettings(config: ResolvedConfig): QueueSettings {
  const queue = config.queue;
  if (queue === null) return NO_LIMITS;
  const pool = queue.gpus === 'auto' ? detectGpus() : queue.gpus;
  return { maxParallel: queue.maxParallel, pool, runsPerGpu: queue.runsPerGpu };
}

/**
 * A queued run's record is on disk: the queue tracks it, one dispatch pass runs at once (it starts
 * when there is room, and then this returns it up, as a plain start would), and when it still
 * waits a dispatcher is made sure of. Returns the run as it is after that pass.
 */
export async function enqueueRun(run: StoredRun, prepared: PreparedQueue, registry: Registry, baseEnv: Record<string, string>, defer = false): Promise<StoredRun> {
  const store = queueStore(registry.runsDir);
  writeSettings(store, prepared.settings);
  track(store, run.record.id, baseEnv);
  // Many runs made at once (a sweep's cells) are dispatched together afterwards: dispatchNow.
  if (defer) return run;
  await dispatchPass(registry.runsDir);
  // Another dispatcher (a runner whose run just ended) may have taken it first: it comes up all the same.
  await pollUntil(() => {
    const read = registry.readRaw(run.record.id);
    return !read.ok || read.run.record.status.state !== 'starting';
  }, 60_000);
  const after = registry.readRaw(run.record.id);
  if (!after.ok) throw new RuntimeError(`run ${run.record.id} cannot be read after it was queued: ${after.reason}`);
  const { status } = after.run.record;
  if (status.state === 'failed' && status.reason.startsWith('the supervisor could not start it')) {
    throw new RuntimeError(`run ${run.record.id} failed to start: ${status.reason}`);
  }
  if (status.state === 'queued') await ensureDispatcher(registry.runsDir);
  return after.run;
}

/**
 * One dispatch pass now, then a dispatcher if anything still waits: for a command that queued many
 * runs with `deferDispatch` (a sweep), once at the end instead of once per run.
 */
export async function dispatchNow(runsDir: string): Promise<void> {
  await dispatchPass(runsDir);
  await ensureDispatcher(runsDir);
}

import { fileURLToPath } from 'node:url';
import { RuntimeError, describeError } from '../../errors.js';
import { findRunProcesses, isAlive, signalAll, signalVerified, sleep } from '../../process/index.js';
import { type RunStatus, isEnded } from '../../registry/record.js';
import type { Registry, StoredRun } from '../../registry/registry.js';
import { createRunnerLog, requestStop } from '../../registry/run-dir/index.js';
import type { StopOutcome, StopProgress, Supervisor } from '../types.js';
import { pm2Call, withPm2 } from './client.js';
import { PM2_NAMESPACE, PRESERVED_PREFIX, pm2NameFor } from './names.js';


/** dist/supervisor/pm2/supervisor.js → dist/runner/main.js */
function runnerScript(): string {
  return fileURLToPath(new URL('../../runner/main.js', import.meta.url));
}

/** Variables whose names pm2 takes for itself travel under a prefix the runner strips. */
function pm2Env(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    const clashes = /^(pm_|PM2_|axm_)/.test(key) || ['name', 'namespace', 'args', 'env', 'version', 'status', 'cwd', 'time'].includes(key);
    out[clashes ? `${PRESERVED_PREFIX}${key}` : key] = value;
  }
  return out;
}

const POLL_MS = 20;
const AFTER_KILL_MS = 5_000;
/** How long after the deadline a live runner has to send SIGKILL itself before the stop command does. */
const RUNNER_MARGIN_MS = 2_000;

export class Pm2Supervisor implements Supervisor {
  readonly backend = 'pm2' as const;

  constructor(private readonly registry: Registry) {}

  async start(run: StoredRun, env: Record<string, string>): Promise<void> {
    const { record, layout } = run;
    // pm2 opens runner.log itself, following links: made here first, private and a regular file.
    const startedBefore = createRunnerLog(layout);
    const name = record.pm2Name ?? pm2NameFor(record.id);
    await withPm2(async (pm2) => {
      // pm2 keeps an ended runner's entry under the run's name: a resumed run's start replaces it.
      if (startedBefore) await pm2Call((done) => pm2.delete(name, done as never)).catch(() => undefined);
      return pm2Call((done) =>
        pm2.start(
          {
            name,
            namespace: PM2_NAMESPACE,
            script: runnerScript(),
            args: [layout.dir],
            interpreter: process.execPath,
            cwd: record.cwd,
            // The runner applies the restart policy itself, so attempts stay inside one run.
            autorestart: false,
            env: pm2Env(env),
            output: layout.runnerLog,
            error: layout.runnerLog,
            merge_logs: true,
            // pm2's own stop must not cut the script's checkpointing short (default: 1.6 s).
            kill_timeout: record.stopTimeoutMs + 5_000,
            // pm2 wraps a node script in its ProcessContainerFork, which by default first requires
            // @pm2/io's agent (pm2-io-bpm): ~25 ms of CPU measured on every start, before our
            // runner can spawn the script, for monitoring it never reports (bench: start row).
            pmx: false,
            automation: false,
          } as never,
          done as never,
        ),
      );
    }).catch((error) => {
      if (error instanceof RuntimeError) throw error;
      throw new RuntimeError(`pm2 could not start the run: ${describeError(error)}`);
    });
  }

  /**
   * Makes (or joins) the run's stop request and waits for the run to end. The runner carries the
   * stop out (runner/stop.ts): this only tells it, with one SIGINT to the runner from the command
   * that made the request. Without a live runner (killed), the command that made the request sends
   * the script its SIGINT, and any command waiting sends SIGKILL at the deadline.
   */
  async stop(run: StoredRun, timeoutMs: number, onProgress?: (progress: StopProgress) => void): Promise<StopOutcome> {
    const { record, layout } = run;
    if (isEnded(record.status)) return 'already-ended';
    const { request, created } = requestStop(layout, timeoutMs);
    let toldRunner = false;
    let interrupted = false;
    let killedAt: number | null = null;
    let saveSince: number | null = null;
    let polls = 0;
    for (;;) {
      const read = this.registry.readRaw(record.id);
      if (!read.ok) throw new RuntimeError(`cannot read run ${record.id} while stopping it: ${read.reason}`);
      const current = read.run.record;
      if (isEnded(current.status)) return outcomeOf(current.status);
      const now = Date.now();
      const runner = current.runner && isAlive(current.runner) ? current.runner : null;
      const script = current.pid && current.pidStartTime !== undefined ? { pid: current.pid, startTime: current.pidStartTime } : null;
      const scriptAlive = script !== null && isAlive(script);
      if (runner && created && !toldRunner) toldRunner = signalVerified([runner], 'SIGINT') > 0;
      if (!runner && scriptAlive && created && !interrupted) interrupted = signalVerified([script!], 'SIGINT') > 0;
      // Running when first seen: its SIGINT went out with the request; otherwise it goes out now.
      if (scriptAlive || (runner && current.status.state === 'running')) saveSince ??= polls === 0 ? request.requestedAt : now;
      polls++;

      // The runner sends SIGKILL at the deadline. Past it (and a margin), or without a runner, we do.
      const killDue = runner ? request.deadline + RUNNER_MARGIN_MS : request.deadline;
      if (now >= killDue && killedAt === null) {
        signalAll(findRunProcesses(record.id, script ?? undefined).filter((ref) => ref.pid !== runner?.pid), 'SIGKILL');
        killedAt = now;
      }
      if (!runner && !isAlive(script ?? undefined)) {
        if (interrupted || killedAt !== null) {
          // It ended under this stop with no runner left to record it (the runner was killed): we do.
          const ended = this.registry.update(record.id, (r) =>
            isEnded(r.status) ? r : { ...r, status: { state: 'stopped', endedAt: new Date().toISOString(), exitCode: null, signal: killedAt !== null ? 'SIGKILL' : null } },
          );
          return outcomeOf(ended.status);
        }
        // Gone by itself (pm2 kill, a reboot), or a start whose launcher died: the observer says lost.
        const seen = this.registry.read(record.id);
        if (seen.ok && isEnded(seen.run.record.status)) return outcomeOf(seen.run.record.status);
      }
      if (runner && killedAt !== null && now >= killedAt + AFTER_KILL_MS) {
        throw new RuntimeError(`run ${record.id} has not ended ${Math.round((now - request.deadline) / 1000)} s after its stop deadline; see ${layout.runnerLog}`);
      }
      onProgress?.({
        id: record.id,
        ...(killedAt !== null
          ? { phase: 'end', since: killedAt }
          : saveSince !== null
            ? { phase: 'save', since: saveSince }
            : { phase: 'start', since: request.requestedAt }),
        deadline: request.deadline,
      });
      await sleep(POLL_MS);
    }
  }
}

/** A run that ended with SIGKILL while being stopped was killed after its grace period. */
function outcomeOf(status: RunStatus): StopOutcome {
  if (status.state === 'lost') return 'already-ended';
  return 'signal' in status && status.signal === 'SIGKILL' ? 'killed' : 'stopped';
}

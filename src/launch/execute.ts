import { statSync, statfsSync } from 'node:fs';
import { hostname } from 'node:os';
import type { ResolvedConfig } from '../config/schema.js';
import { RuntimeError, UsageError, describeError, errorCode } from '../errors.js';
import { captureGit } from '../git/git.js';
import { makeRunId } from '../registry/id.js';
import { type RunLayout, createOutputLogs, runLayout, writeGitDiff, writeRecordIn } from '../registry/run-dir/index.js';
import { removeUnfinishedDir } from '../registry/unfinished-dir.js';
import { holdForTest } from '../registry/test-hold.js';
import { currentUser, findRunProcesses, pollUntil, processRef, signalAll, sleep, withoutRunIdentity } from '../process/index.js';
import { enqueueRun, prepareQueue } from './queue.js';
import { runEnvironment, stringEnv } from '../registry/run-environment.js';
import { type RunRecord, type RunStatus, SCHEMA_VERSION, isEnded } from '../registry/record.js';
import type { Registry, StoredRun } from '../registry/registry.js';
import { backendOf } from '../supervisor/index.js';
import type { Supervisor } from '../supervisor/types.js';
import { VERSION } from '../version.js';
import { type InterruptWatch, InterruptedError, watchInterrupt } from './interrupt.js';
import { type LaunchPlan, assertLaunchable } from './plan.js';

const START_TIMEOUT_MS = 60_000;
const POLL_MS = 15;

/** Carries out a launch plan: a fresh run directory, its record, the process, and a wait until it is up. */
export async function executeLaunch(
  plan: LaunchPlan,
  config: ResolvedConfig,
  registry: Registry,
  supervisor: Supervisor,
  extra: { restartOf?: string; restartArgs?: string[]; interrupt?: InterruptWatch; deferDispatch?: boolean } = {},
): Promise<StoredRun> {
  assertLaunchable(plan, extra.restartOf ? `cannot restart ${extra.restartOf}` : 'cannot start');
  const interrupt = extra.interrupt ?? watchInterrupt();
  try {
    return await launch(plan, config, registry, supervisor, extra, interrupt);
  } finally {
    interrupt.close();
  }
}

async function launch(
  plan: LaunchPlan,
  config: ResolvedConfig,
  registry: Registry,
  supervisor: Supervisor,
  extra: { restartOf?: string; restartArgs?: string[]; deferDispatch?: boolean },
  interrupt: InterruptWatch,
): Promise<StoredRun> {
  const { restartOf } = extra;
  if (interrupt.signal) throw new InterruptedError('start interrupted: nothing was started');
  ensureWorkingDirectory(plan.cwd, restartOf);
  // Checked before anything is made: a request the pool can never meet, a --after that names no run.
  const queued = prepareQueue(plan, config, registry);
  registry.ensureRunsDir();
  ensureFreeSpace(registry.runsDir);
  if (queued) {
    const run = await makeRun(plan, config, registry, extra, { state: 'queued', reason: 'waiting for the dispatcher' }, queued.fields);
    return enqueueRun(run, queued, registry, withoutRunIdentity(stringEnv(process.env)), extra.deferDispatch === true);
  }
  const { record, layout } = await makeRun(plan, config, registry, extra, { state: 'starting' });
  const id = record.id;
  const env = runEnvironment(stringEnv(process.env), { record, layout });
  const run = { record, layout };
  if (interrupt.signal) {
    markFailed(registry, id, INTERRUPTED);
    throw new InterruptedError(`start interrupted: run ${id} was not started (recorded as failed: ${INTERRUPTED})`);
  }
  try {
    await supervisor.start(run, env);
  } catch (error) {
    markFailed(registry, id, `the supervisor could not start it: ${describeError(error)}`);
    throw error;
  }
  const up = await waitUntilUp(registry, id, interrupt);
  if (interrupt.signal) await takeDown(up, registry, supervisor);
  return up;
}

/**
 * Makes a run's directory and its first record (status `starting`), and the environment its script
 * gets; starts nothing. A sweep on a backend that starts many runs at once (a SLURM array) makes
 * every cell's run with this, then hands them all to the supervisor together.
 */
export async function createRun(
  plan: LaunchPlan,
  config: ResolvedConfig,
  registry: Registry,
  extra: { restartOf?: string; restartArgs?: string[] } = {},
): Promise<{ run: StoredRun; env: Record<string, string> }> {
  ensureWorkingDirectory(plan.cwd, extra.restartOf);
  registry.ensureRunsDir();
  ensureFreeSpace(registry.runsDir);
  const run = await makeRun(plan, config, registry, extra, { state: 'starting' });
  return { run, env: runEnvironment(stringEnv(process.env), run) };
}

/** A fresh run directory with the run's first record in it; nothing is left behind when that fails. */
async function makeRun(
  plan: LaunchPlan,
  config: ResolvedConfig,
  registry: Registry,
  extra: { restartOf?: string; restartArgs?: string[] },
  status: RunStatus,
  fields: Partial<RunRecord> = {},
): Promise<StoredRun> {
  const { restartOf } = extra;
  const now = new Date();
  const { id, layout: staged } = createFreshRunDir(registry, plan.name, now);
  try {
    const git = await captureGit(plan.cwd, (diff) => writeGitDiff(staged, diff));
    const record: RunRecord = {
      schemaVersion: SCHEMA_VERSION,
      id,
      name: plan.name,
      backend: plan.backend,
      script: plan.script,
      args: plan.args,
      command: plan.command,
      cwd: plan.cwd,
      interpreter: plan.interpreter,
      tags: plan.tags,
      env: plan.env,
      createdAt: now.toISOString(),
      status,
      launcher: processRef(process.pid),
      ...backendOf(plan.backend).handleAtCreate(id),
      hostname: hostname(),
      user: currentUser(),
      rlRunVersion: VERSION,
      ...(git ? { git } : {}),
      stopTimeoutMs: config.stop.timeoutMs,
      restart: config.restart,
      attempts: [],
      ...(restartOf ? { restartOf } : {}),
      ...(extra.restartArgs ? { restartArgs: extra.restartArgs } : {}),
      ...(plan.sweep ? { sweep: plan.sweep } : {}),
      ...fields,
      config: configSnapshot(config),
    };
    createOutputLogs(staged);
    writeRecordIn(staged.dir, record);
    holdForTest('run-dir-staged');
    return { record, layout: registry.publishRunDir(staged, id) };
  } catch (error) {
    // Nothing half-made stays behind: the directory is ours, made a moment ago, and never published.
    removeUnfinishedDir(staged.dir);
    throw diskError(error, registry.runsDir);
  }
}


const INTERRUPTED = 'start interrupted';

/**
 * An interrupted start whose process was already handed to the supervisor: the runner may be about
 * to spawn the script, so wait until the run is up (or has failed), stop it, and record it failed.
 * Always throws: the message says what became of the run.
 */
async function takeDown(run: StoredRun, registry: Registry, supervisor: Supervisor): Promise<never> {
  const { id } = run.record;
  if (run.record.status.state === 'starting') {
    // It never came up in time: end whatever carries its id; the record was marked failed by the wait.
    signalAll(findRunProcesses(id), 'SIGKILL');
    await untilNothingCarries(id);
    markFailed(registry, id, INTERRUPTED);
    throw new InterruptedError(`start interrupted: run ${id} was taken down and recorded as failed (${INTERRUPTED})`);
  }
  if (isEnded(run.record.status)) {
    throw new InterruptedError(`start interrupted: run ${id} had already ended (${run.record.status.state}); 'rl-run show ${id}' has the details`);
  }
  await supervisor.stop(run, run.record.stopTimeoutMs);
  await untilNothingCarries(id);
  registry.update(id, (r) => {
    const status = r.status;
    const ended = 'endedAt' in status ? status : { endedAt: new Date().toISOString(), exitCode: null, signal: null };
    const exitCode = 'exitCode' in ended ? ended.exitCode : null;
    const signal = 'signal' in ended ? ended.signal : null;
    return { ...r, status: { state: 'failed', endedAt: ended.endedAt, exitCode, signal, reason: INTERRUPTED } };
  });
  throw new InterruptedError(`start interrupted: run ${id} was stopped and recorded as failed (${INTERRUPTED})`);
}

/**
 * "Taken down" is said only once no process carries the run's id: the runner records the end and
 * exits a moment later (the reliability suite caught one still alive when the CLI had said so).
 */
async function untilNothingCarries(id: string): Promise<void> {
  if (await pollUntil(() => findRunProcesses(id).length === 0, 5_000)) return;
  signalAll(findRunProcesses(id), 'SIGKILL');
  await pollUntil(() => findRunProcesses(id).length === 0, 2_000);
}

/** A restart's cwd may be gone since the first run (start checks --cwd in its plan). */
export function ensureWorkingDirectory(cwd: string, restartOf: string | undefined): void {
  let isDirectory = false;
  try {
    isDirectory = statSync(cwd).isDirectory();
  } catch {
    // missing or unreadable: said below
  }
  if (isDirectory) return;
  throw new UsageError(
    restartOf
      ? `the working directory ${cwd} of ${restartOf} is not a directory any more: recreate it, or start the script anew with --cwd`
      : `the working directory ${cwd} is not a directory: give an existing folder with --cwd`,
  );
}

function createFreshRunDir(registry: Registry, name: string, now: Date): { id: string; layout: RunLayout } {
  for (let attempt = 0; attempt < 50; attempt++) {
    const id = makeRunId(name, now);
    try {
      return { id, layout: registry.stageRunDir(id) };
    } catch (error) {
      if (errorCode(error) === 'EEXIST') continue;
      throw diskError(error, registry.runsDir);
    }
  }
  throw new RuntimeError(`could not find a free run id for '${name}' after 50 tries`);
}

/** Polls the record until the run is up; an interrupted wait returns the run as it is at the deadline. */
async function waitUntilUp(registry: Registry, id: string, interrupt: InterruptWatch): Promise<StoredRun> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const current = registry.readRaw(id);
    if (current.ok) {
      const { status } = current.run.record;
      if (status.state === 'failed' && !(interrupt.signal && status.reason === INTERRUPTED)) {
        throw new RuntimeError(`run ${id} failed to start: ${status.reason}`);
      }
      if (status.state !== 'starting') return current.run;
    }
    if (Date.now() > deadline) {
      if (interrupt.signal && current.ok) return current.run;
      markFailed(registry, id, `it did not come up within ${START_TIMEOUT_MS / 1000} s`);
      throw new RuntimeError(`run ${id} did not come up within ${START_TIMEOUT_MS / 1000} s; see ${runLayout(registry.runsDir, id).runnerLog}`);
    }
    await sleep(POLL_MS);
  }
}

export function markFailed(registry: Registry, id: string, reason: string): void {
  try {
    registry.update(id, (r) =>
      r.status.state === 'starting'
        ? { ...r, status: { state: 'failed', endedAt: new Date().toISOString(), exitCode: null, signal: null, reason } }
        : r,
    );
  } catch {
    // The record cannot be written (disk full?): the next reader shows it as lost.
  }
}

/**
 * A run needs a few pages free beyond its record: the runner rewrites run.json (temp file + rename)
 * when the script comes up. With the disk full that write failed inside the runner, the script ran
 * unrecorded and `start` waited its full 60 s for a run that never came up (measured on a 1 MB tmpfs
 * with one page left). Refusing up front leaves nothing half-made.
 */
export const MIN_FREE_BYTES = 64 * 1024;

function ensureFreeSpace(runsDir: string): void {
  let free: number;
  try {
    const stats = statfsSync(runsDir);
    free = stats.bavail * stats.bsize;
  } catch {
    return; // no statfs here: the writes below report ENOSPC themselves
  }
  if (free < MIN_FREE_BYTES) throw diskError(Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }), runsDir);
}

function diskError(error: unknown, runsDir: string): Error {
  const code = errorCode(error);
  if (code === 'ENOSPC') return new RuntimeError(`no space left on the device of ${runsDir}: free some space ('rl-run clean') and start again`);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new UsageError(`cannot write to the runs directory ${runsDir} (${code}): set runsDir in runs.config.ts to a writable folder`);
  }
  return error instanceof Error ? error : new RuntimeError(String(error));
}


function configSnapshot(config: ResolvedConfig): Record<string, unknown> {
  return JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
}

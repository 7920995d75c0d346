/**
 * The runner: the process pm2 supervises for a run. It starts the script with stdout.log and
 * stderr.log as its own file descriptors (so output never passes through pm2: through pm2's
 * out_file it ran at 0.45x the speed of a plain redirect and swelled the daemon), forwards
 * signals, restarts when the policy says so, and records how the run ended in run.json — pm2
 * itself reports exit code 0 for a signalled process and keeps no end time.
 *
 * Usage (by the pm2 supervisor only): node runner/main.js <runDir>
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, constants, existsSync, openSync } from 'node:fs';
import path from 'node:path';
import { layoutOfDir, readRecordIn, updateRecordIn } from '../registry/run-dir/index.js';
import { bootId, findRunProcesses, killOwnChildGroup, ownFdPath, pollUntil, processRef, signalAll, supervisorGoingDown, terminate } from '../process/index.js';
import { appendNoFollow, isSymlink, openForAppend } from '../registry/safe-fs.js';
import type { Attempt, ProcessRef, RunRecord, RunStatus } from '../registry/record.js';
import { whyNotTake } from './claim.js';
import { scriptEnvironment } from './env.js';
import { type AttemptEnd, decideAfterAttempt, describeEnd } from './outcome.js';
import { type AttemptPlan, planAttempt } from '../resume/attempt.js';
import { newestCheckpoint } from '../resume/checkpoint.js';
import { type Progress, crashLoopReason, madeProgress } from '../resume/progress.js';
import { resumeOf } from '../resume/settings.js';
import { onNextAttemptRequest } from './next-attempt.js';
import { probeProgress } from './progress-probe.js';
import { recordOutputSizes } from './output-index.js';
import { recordResources } from './resource-sampler.js';
import { StopWatch } from './stop.js';
import { notifyEnd, RunWatch } from './watchdog.js';
import { dispatchPass } from '../queue/dispatch.js';
import { holdDispatch, queueStore, trackedIds } from '../queue/store.js';
import { pm2Home } from '../supervisor/pm2/client.js';

const HOLD_AFTER_SIGNAL_MS = 5_000;

/**
 * The run directory, held open: a user who moves it away (`mv runs/X /elsewhere`) mid-run still
 * gets the run's end recorded in it, instead of a record that says running forever. Where there is
 * no /proc/self/fd, its path.
 */
function pinned(dir: string): string {
  try {
    const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
    const held = ownFdPath(fd);
    if (existsSync(held)) return held;
    closeSync(fd);
  } catch {
    // unreadable: the reads below say why
  }
  return dir;
}

const runDir = path.resolve(process.argv[2] ?? '.');
const runName = path.basename(runDir);
const layout = layoutOfDir(pinned(runDir));
let child: ChildProcess | null = null;
/** The script of the attempt under way, as first seen, for walking its process tree. */
let childRef: ProcessRef | null = null;
let externalSignal: string | null = null;
let stop: StopWatch | null = null;
let watch: RunWatch | null = null;
/** Ends the restart delay early (a stop, or a signal from outside). */
let wake: (() => void) | null = null;
/** What the signal from outside came with, when it was the machine or pm2 going down (see process/shutdown.ts). */
let supervisorDown: string | null = null;
/** Set by requestNextAttempt: the attempt under way is ended and the run goes on resuming; its end cause. */
let nextAttemptCause: string | null = null;
let nextAttemptKill: NodeJS.Timeout | null = null;

function readRecord(): RunRecord {
  const read = readRecordIn(layout.dir, runName);
  if (!read.ok) throw new Error(`${runDir}: ${read.reason}`);
  return read.record;
}

function saveRecord(change: (record: RunRecord) => RunRecord): RunRecord {
  return updateRecordIn(layout.dir, change, runName);
}

function log(message: string): void {
  process.stdout.write(`[rl-run runner ${new Date().toISOString()}] ${message}\n`);
}

function separator(attempt: number, total: number, previous: string): void {
  writeSeparator(`\n──── rl-run: attempt ${attempt} of ${total} started ${new Date().toISOString()} (previous attempt: ${previous}) ────\n`);
}

function writeSeparator(line: string): void {
  appendNoFollow(layout.stdout, line);
  appendNoFollow(layout.stderr, line);
}

function runAttempt(record: RunRecord, env: Record<string, string>, plan: AttemptPlan): Promise<AttemptEnd> {
  return new Promise((resolve) => {
    // A log replaced by a symlink is refused (the run fails saying so), never appended through.
    const out = openForAppend(layout.stdout);
    let err: number;
    try {
      err = openForAppend(layout.stderr);
    } catch (error) {
      closeSync(out);
      throw error;
    }
    const [file, ...args] = plan.command;
    // Its own process group, so that a stop can reach the environment workers it forks.
    const proc = spawn(file!, args, { cwd: record.cwd, env, stdio: ['ignore', out, err], detached: true });
    child = proc;
    let settled = false;
    const finish = (end: Omit<AttemptEnd, 'stopRequested' | 'externalSignal'>) => {
      if (settled) return;
      settled = true;
      closeSync(out);
      closeSync(err);
      child = null;
      childRef = null;
      resolve({ ...end, stopRequested: stop?.check() ?? false, externalSignal });
    };
    proc.once('spawn', () => {
      const startedAt = new Date().toISOString();
      const boot = bootId();
      childRef = processRef(proc.pid!);
      try {
        saveRecord((current) => ({
          ...current,
          status: { state: 'running' },
          startedAt: current.startedAt ?? startedAt,
          pid: proc.pid,
          pidStartTime: processRef(proc.pid!).startTime,
          runner: processRef(process.pid),
          attempts: [...current.attempts, { startedAt, ...(plan.checkpoint !== undefined ? { checkpoint: plan.checkpoint } : {}) }],
          ...(boot ? { bootId: boot } : {}),
        }));
      } catch (error) {
        // Unrecorded, the script would run with nobody to stop it or note its end (ENOSPC did this).
        log(`cannot record the start (${(error as Error).message}): ending the script`);
        killOwnChildGroup(proc);
        return;
      }
      // A stop asked for while the script was being started reaches it now that its pid is known.
      if (stop?.check()) return;
      if (externalSignal) proc.kill('SIGINT');
    });
    proc.once('error', (error: NodeJS.ErrnoException) => {
      const what = error.code === 'ENOENT' ? `'${file}' not found` : error.code === 'EACCES' ? `'${file}' is not executable` : error.message;
      try {
        appendNoFollow(layout.stderr, `rl-run: cannot start the run: ${what}\n`);
      } catch {
        // stderr.log is not ours to write (a symlink): the record still says why.
      }
      finish({ exitCode: null, signal: null, spawnError: `cannot start: ${what}` });
    });
    proc.once('exit', (exitCode, signal) => {
      void endLeftovers(record.id, proc.pid!).then(() => finish({ exitCode, signal, spawnError: null }));
    });
  });
}

const LEFTOVER_GRACE_MS = 2_000;

/**
 * Environment workers that outlived the script would hold memory and GPUs for days: everything
 * still carrying the run's id gets SIGTERM, and SIGKILL if it is still there after a short grace.
 */
async function endLeftovers(runId: string, scriptPid: number): Promise<void> {
  await terminate(findRunProcesses(runId).filter((ref) => ref.pid !== scriptPid), LEFTOVER_GRACE_MS);
}

/** The stop deadline: SIGKILL to the script's group and to every process of the run, each verified. */
function killRun(runId: string): void {
  if (child) killOwnChildGroup(child);
  signalAll(findRunProcesses(runId, childRef ?? undefined), 'SIGKILL');
}

/** The attempts with the last one, if still open, closed as `end` says. */
function closeLastAttempt(attempts: readonly Attempt[], end: Required<Pick<Attempt, 'endedAt' | 'exitCode' | 'signal'>> & Pick<Attempt, 'endCause'>): Attempt[] {
  const last = attempts[attempts.length - 1];
  if (!last || last.endedAt) return [...attempts];
  return [...attempts.slice(0, -1), { ...last, ...end }];
}

/** Records the run's end, closing its last attempt. */
function endAttempt(status: RunStatus, endCause?: string): void {
  const ended = saveRecord((current) => ({
    ...current,
    status,
    attempts:
      'endedAt' in status
        ? closeLastAttempt(current.attempts, {
            endedAt: status.endedAt,
            exitCode: status.exitCode,
            signal: 'signal' in status ? status.signal : null,
            ...(endCause ? { endCause } : {}),
          })
        : current.attempts,
  }));
  notifyEnd(runDir, layout, ended, log);
}

/** How the next attempt starts: from the newest complete checkpoint when the run resumes (resume/attempt.ts). */
async function prepareAttempt(record: RunRecord): Promise<AttemptPlan> {
  const number = record.attempts.length + 1;
  const resume = resumeOf(record);
  const checkpoint = number > 1 && resume ? await newestCheckpoint(layout.dir, resume.checkpoint) : null;
  // The script is given the run directory's own path: the pinned /proc/self/fd one is ours alone.
  return planAttempt(record, runDir, number, resume, checkpoint);
}

/** The watchdog's (or any in-runner caller's) "end this attempt and resume from the newest checkpoint". */
onNextAttemptRequest((cause) => {
  if (!child || stop?.check() || externalSignal) return false;
  if (nextAttemptCause) return true;
  nextAttemptCause = cause;
  log(`ending attempt (${cause}): SIGINT now, the next attempt resumes from the newest checkpoint`);
  const ending = child;
  ending.kill('SIGINT');
  const grace = readRecord().stopTimeoutMs;
  nextAttemptKill = setTimeout(() => {
    if (child === ending) killRun(readRecord().id);
  }, grace);
  nextAttemptKill.unref();
  return true;
});

async function main(): Promise<void> {
  // pm2 writes our output to runner.log, following links: with a link there, say nothing at all.
  if (isSymlink(layout.runnerLog)) {
    process.exitCode = 1;
    return;
  }
  const initial = readRecord();
  const refusal = whyNotTake(initial);
  if (refusal) {
    log(refusal);
    return;
  }
  recordOutputSizes(layout);
  recordResources(layout, initial.id, () => childRef);
  const env = scriptEnvironment(process.env);
  const total = initial.restart.maxRestarts + 1;
  stop = new StopWatch(layout, initial.stopTimeoutMs, {
    interrupt: () => (child ? child.kill('SIGINT') : wake?.()),
    kill: () => killRun(initial.id),
    log,
  });
  watch = RunWatch.start(runDir, layout, initial, { script: () => child, checkStop: () => stop?.check(), kill: () => killRun(initial.id), log });
  // Asked to stop before the script was ever started: it is not started.
  if (stop.check()) {
    endAttempt({ state: 'stopped', endedAt: new Date().toISOString(), exitCode: null, signal: null });
    log('run ended: stopped before the script was started');
    return;
  }
  let fruitless = 0;
  let previousEnd: string | null = null;
  for (let attempt = 1; ; attempt++) {
    const record = readRecord();
    const plan = await prepareAttempt(record);
    const resume = resumeOf(record);
    if (plan.separator && (resume || attempt === 1)) writeSeparator(plan.separator);
    else if (previousEnd !== null) separator(plan.number, plan.number - attempt + total, previousEnd);
    if (plan.number > 1) log(`attempt ${plan.number}: ${plan.checkpoint ? `resuming from ${plan.checkpoint}` : 'from scratch'}`);
    const before: Progress | null = resume ? await probeProgress(layout, record, resume.checkpoint) : null;
    const end = await withOutsideSignal(await runAttempt(record, env, plan));
    if (nextAttemptKill) clearTimeout(nextAttemptKill);
    // The watchdog's `resume` action ended this attempt: it counts as a crash, and the next attempt
    // resumes from the newest checkpoint like any automatic restart.
    const watched = watch?.decide(end, attempt, record.restart.maxRestarts) ?? null;
    const cause = nextAttemptCause ?? (watched ? 'watchdog' : null);
    nextAttemptCause = null;
    let decision = watched ?? decideAfterAttempt(end, attempt, record.restart.maxRestarts, new Date());
    if (cause && !watched && !end.stopRequested && !end.externalSignal && !end.spawnError) decision = { kind: 'restart' };
    if (decision.kind === 'restart' && resume && before) {
      fruitless = madeProgress(before, await probeProgress(layout, record, resume.checkpoint)) ? 0 : fruitless + 1;
      if (fruitless >= resume.maxFruitlessAttempts) {
        const { exitCode, signal } = end;
        decision = { kind: 'end', status: { state: 'failed', endedAt: new Date().toISOString(), exitCode, signal, reason: crashLoopReason(fruitless) } };
      }
    }
    if (decision.kind === 'end') {
      let { status } = decision;
      if (supervisorDown && status.state === 'failed' && end.externalSignal) {
        status = { ...status, reason: `${supervisorDown} (${end.externalSignal}); 'rl-run resurrect' continues it` };
      }
      endAttempt(status, supervisorDown && end.externalSignal ? 'supervisor-down' : undefined);
      log(`run ended: ${status.state} (${describeEnd(end)})`);
      process.exitCode = end.exitCode ?? 1;
      return;
    }
    saveRecord((current) => ({
      ...current,
      attempts: closeLastAttempt(current.attempts, { endedAt: new Date().toISOString(), exitCode: end.exitCode, signal: end.signal, ...(cause ? { endCause: cause } : {}) }),
    }));
    previousEnd = cause ? `ended by rl-run: ${cause}` : describeEnd(end);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, record.restart.delayMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    wake = null;
    if (stop.check() || externalSignal) {
      endAttempt({ state: 'stopped', endedAt: new Date().toISOString(), exitCode: end.exitCode, signal: end.signal });
      return;
    }
    log(`restarting: attempt ${attempt + 1} of ${total}`);
  }
}

/** How long a script killed by a signal nobody in rl-run sent waits for the runner's own signal. */
const OWN_SIGNAL_WAIT_MS = 300;

/**
 * `pm2 kill` and `pm2 stop` signal the whole tree, children before parents: the script's death can
 * reach the runner before the runner's own signal does. Read alone it was a script killed by hand,
 * and the queue started the next run into the daemon going away (test/core/queue.test.ts caught it).
 * A script killed by a signal rl-run did not send waits a moment for the runner's, and counts as
 * signalled from outside when pm2 or the machine is seen going down.
 */
async function withOutsideSignal(end: AttemptEnd): Promise<AttemptEnd> {
  if (!end.signal || end.stopRequested || end.externalSignal || end.spawnError || nextAttemptCause) return end;
  await pollUntil(() => externalSignal !== null, OWN_SIGNAL_WAIT_MS, 10);
  if (!externalSignal) {
    const down = supervisorGoingDown(pm2Home());
    if (!down) return end;
    supervisorDown = down;
    externalSignal = end.signal;
  }
  return { ...end, stopRequested: stop?.check() ?? false, externalSignal };
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    // rl-run's stop signals the runner, which carries it out once (see StopWatch); any other
    // signal reaching the runner came from outside.
    if (stop?.check()) return;
    if (!externalSignal && signal !== 'SIGHUP') supervisorDown = supervisorGoingDown(pm2Home());
    externalSignal ??= signal;
    if (child) child.kill(signal === 'SIGHUP' ? 'SIGINT' : signal);
    else wake?.();
  });
}

main()
  .catch((error: Error) => {
    log(`runner failed: ${error.stack ?? error.message}`);
    try {
      endAttempt({ state: 'failed', endedAt: new Date().toISOString(), exitCode: null, signal: null, reason: `rl-run runner failed: ${error.message}` });
    } catch {
      // the record itself is unreadable: the next reader shows the run as lost
    }
    process.exitCode = 1;
  })
  .then(dispatchAfterEnd);

/**
 * The fast path of the queue: the run's slot and GPUs are free now, so the runner starts whoever
 * waits for them before it exits (the dispatcher's polling catches a runner that never gets here).
 */
async function dispatchAfterEnd(): Promise<void> {
  const runsDir = path.dirname(runDir);
  // A signal from outside is pm2 stopping or killing everything (`pm2 kill` stops its processes a
  // few at a time, the dispatcher last): a run started now went into a daemon going away (seen in
  // test/core/queue.test.ts). Starts wait a few seconds; a later dispatcher or command does them.
  const store = queueStore(runsDir);
  if (trackedIds(store).length === 0) return;
  if (externalSignal) {
    holdDispatch(store, HOLD_AFTER_SIGNAL_MS);
    return;
  }
  try {
    const result = await dispatchPass(runsDir);
    if (result.started.length) log(`queue: started ${result.started.join(', ')}`);
  } catch (error) {
    log(`queue: dispatch after the run ended failed: ${(error as Error).message}`);
  }
}

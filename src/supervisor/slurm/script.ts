import { shellQuote } from '../../format/shell.js';
import { RUN_NAME_PREFIX } from '../names.js';
import { DEFAULT_REQUEUE_SIGNAL, SIGNAL_SPEC, type SlurmConfig } from '../../config/schema.js';
import { UsageError } from '../../errors.js';
import type { RunLayout } from '../../registry/run-dir/index.js';
import type { RunRecord } from '../../registry/record.js';

/**
 * What `sbatch` is given for a run, built from plain data: the batch script's text and the
 * sbatch arguments. No disk, no processes; the supervisor writes the script and submits it.
 */
export const JOB_NAME_PREFIX = RUN_NAME_PREFIX;

export function jobNameFor(runId: string): string {
  return `${JOB_NAME_PREFIX}${runId}`;
}

/** The run id a job name carries, or null when the job is not one of rl-run's. */
export function runIdOfJobName(name: string): string | null {
  return name.startsWith(JOB_NAME_PREFIX) && name.length > JOB_NAME_PREFIX.length ? name.slice(JOB_NAME_PREFIX.length) : null;
}

export interface BatchScriptInput {
  record: Pick<RunRecord, 'id' | 'command' | 'cwd' | 'env'>;
  /** RL_RUN_* and the like: written into the script so they hold even under `--export=NONE`. */
  runEnv: Record<string, string>;
  setup: readonly string[];
  /** The time-limit warning (slurm.requeue): the script ignores it unless it installs a handler (warningToIgnore). */
  ignoreSignal?: string | null;
}

const WARNING_SIGNALS: Record<string, string> = { USR1: 'USR1', USR2: 'USR2', '10': 'USR1', '12': 'USR2' };

/**
 * The signal of `slurm.signal` that the script should not die of. SLURM sends the warning to the
 * batch shell, which `exec` made the script: a script without a handler for SIGUSR1 was killed by
 * its default action two minutes before its time limit, and the job ended FAILED (0:10), not
 * TIMEOUT, so it was never requeued (seen on the single-node cluster). Ignored before `exec`, the
 * signal stays ignored in a script that does not ask for it, and reaches one that installs a handler
 * (Python's signal.signal, Lightning's SLURM plugin). Only USR1/USR2: TERM and INT must still end it.
 */
export function warningToIgnore(slurm: Pick<SlurmConfig, 'requeue' | 'signal'>): string | null {
  if (!slurm.requeue) return null;
  const match = SIGNAL_SPEC.exec(slurm.signal ?? DEFAULT_REQUEUE_SIGNAL);
  return match ? (WARNING_SIGNALS[match[1]!.toUpperCase()] ?? null) : null;
}

/**
 * The script ends in `exec`, so the training script replaces the shell: `--wrap 'python3 …'`
 * leaves a shell in front, SIGTERM kills that shell and the script gets no grace, and
 * `scancel --signal=INT --full` reaches the shell, not the script.
 */
export function batchScript({ record, runEnv, setup, ignoreSignal }: BatchScriptInput): string {
  const exports = Object.entries({ ...record.env, ...runEnv }).map(([key, value]) => {
    // Keys are checked before any launch; this is the last line of defence against a key that
    // would add its own lines to the script.
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new UsageError(`env key ${JSON.stringify(key)} is not a valid variable name`);
    return `export ${key}=${shellQuote(value)}`;
  });
  return [
    '#!/bin/bash',
    `# Written by rl-run for run ${record.id.replace(/[^\w.-]/g, '?')}, submitted with sbatch. Output goes to stdout.log and stderr.log.`,
    ...exports,
    `cd ${shellQuote(record.cwd)} || exit 1`,
    ...(setup.length ? ['# slurm.setup from runs.config.ts', ...setup] : []),
    ...(ignoreSignal ? [`# slurm.requeue: the time-limit warning reaches the script only if it handles SIG${ignoreSignal}`, `trap '' ${ignoreSignal}`] : []),
    `exec ${record.command.map(shellQuote).join(' ')}`,
    '',
  ].join('\n');
}

/** Arguments for `sbatch`, ending with the script path. */
export function sbatchArgs(input: { runId: string; layout: RunLayout; cwd: string; slurm: SlurmConfig }): string[] {
  const { runId, layout, cwd, slurm } = input;
  const args = [
    '--parsable',
    `--job-name=${jobNameFor(runId)}`,
    // The files exist already (empty); appending keeps a requeued job's earlier output.
    `--output=${slurmPath(layout.stdout)}`,
    `--error=${slurmPath(layout.stderr)}`,
    '--open-mode=append',
    `--chdir=${cwd}`,
    '--export=ALL',
  ];
  args.push(...resourceArgs(slurm));
  args.push(layout.batchScript);
  return args;
}

/** The slurm section of the config as sbatch options, for a run's job and a sweep's array alike. */
function resourceArgs(slurm: SlurmConfig): string[] {
  const args: string[] = [];
  if (slurm.partition) args.push(`--partition=${slurm.partition}`);
  if (slurm.time) args.push(`--time=${slurm.time}`);
  if (slurm.cpusPerTask !== undefined) args.push(`--cpus-per-task=${slurm.cpusPerTask}`);
  if (slurm.mem) args.push(`--mem=${slurm.mem}`);
  if (slurm.gpus) args.push(`--gpus=${slurm.gpus}`);
  if (slurm.gres) args.push(`--gres=${slurm.gres}`);
  if (slurm.account) args.push(`--account=${slurm.account}`);
  if (slurm.qos) args.push(`--qos=${slurm.qos}`);
  if (slurm.requeue) args.push(`--signal=${slurm.signal ?? DEFAULT_REQUEUE_SIGNAL}`);
  args.push(...(slurm.extraArgs ?? []));
  return args;
}

/**
 * A sweep's array: task i runs the i-th run's own batch script (made as for a single run), with
 * its output appended to that run's logs. The table of task → run is the script itself.
 */
export function arrayBatchScript(runs: readonly { id: string; layout: RunLayout }[]): string {
  return [
    '#!/bin/bash',
    '# Written by rl-run for a sweep: SLURM array task i runs the i-th run, each with its own directory, logs and record.',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable in the batch script
    'case "${SLURM_ARRAY_TASK_ID:-}" in',
    ...runs.map(
      ({ id, layout }, index) =>
        `  ${index}) exec bash ${shellQuote(layout.batchScript)} >>${shellQuote(layout.stdout)} 2>>${shellQuote(layout.stderr)} ;; # ${id.replace(/[^\w.-]/g, '?')}`,
    ),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable in the batch script
    '  *) echo "rl-run: no run for array task ${SLURM_ARRAY_TASK_ID:-?}" >&2; exit 1 ;;',
    'esac',
    '',
  ].join('\n');
}

/** `sbatch --array=0-N%K` for a sweep's runs; the job is named after the sweep. */
export function arraySbatchArgs(input: { sweepId: string; count: number; parallelism?: number | undefined; scriptFile: string; cwd: string; slurm: SlurmConfig }): string[] {
  const { sweepId, count, parallelism, scriptFile, cwd, slurm } = input;
  return [
    '--parsable',
    `--array=0-${count - 1}${parallelism ? `%${parallelism}` : ''}`,
    `--job-name=${jobNameFor(sweepId)}`,
    // Each task writes its run's own logs (the array script redirects); nothing of the array's own.
    '--output=/dev/null',
    `--chdir=${cwd}`,
    '--export=ALL',
    ...resourceArgs(slurm),
    scriptFile,
  ];
}

/** sbatch expands %j, %u, … in file names; a literal % is written %%. */
function slurmPath(file: string): string {
  return file.replaceAll('%', '%%');
}

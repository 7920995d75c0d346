import { NAME_PLACEHOLDERS, unknownPlaceholders } from '../registry/id.js';
import { checkpointGlobProblem, unknownResumePlaceholders } from './resume-checks.js';
import { ENV_KEY, PROGRESS_TOTAL, type ResumeConfig, SIGNAL_SPEC, type UserConfig } from './schema.js';
import { NOTIFY_EVENTS, stallProblem, webhookProblem } from './watching.js';

/**
 * Checks a loaded config object without touching the disk. Returns the typed config, or a list of
 * problems that each name the key and what was expected.
 */
export type Validation = { ok: true; config: UserConfig } | { ok: false; errors: string[] };

type Check = (value: unknown) => string | null;

const isString: Check = (v) => (typeof v === 'string' && v.length > 0 ? null : 'a non-empty string');
const isStringArray: Check = (v) =>
  Array.isArray(v) && v.every((s) => typeof s === 'string') ? null : 'an array of strings';
const isStringMap: Check = (v) =>
  isPlainObject(v) && Object.values(v).every((s) => typeof s === 'string')
    ? null
    : 'an object of string values';
const isBoolean: Check = (v) => (typeof v === 'boolean' ? null : 'true or false');
const isNonNegativeInt: Check = (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 ? null : 'a whole number >= 0';
const isPositiveInt: Check = (v) =>
  typeof v === 'number' && Number.isInteger(v) && v > 0 ? null : 'a whole number > 0';
const oneOf =
  (...choices: string[]): Check =>
  (v) =>
    typeof v === 'string' && choices.includes(v) ? null : `one of ${choices.map((c) => `'${c}'`).join(', ')}`;

const isEventList: Check = (v) =>
  Array.isArray(v) && v.every((e) => (NOTIFY_EVENTS as readonly unknown[]).includes(e))
    ? null
    : `an array of ${NOTIFY_EVENTS.map((e) => `'${e}'`).join(', ')}`;
const isGpuPool: Check = (v) =>
  v === 'auto' ||
  (Array.isArray(v) && v.length > 0 && v.every((i) => typeof i === 'number' && Number.isInteger(i) && i >= 0) && new Set(v).size === v.length)
    ? null
    : "'auto' or a non-empty array of distinct GPU indices (whole numbers >= 0)";

type Shape = { [key: string]: Check | Shape };

const SHAPE: Shape = {
  runsDir: isString,
  interpreters: isStringMap,
  env: isStringMap,
  defaults: { args: isStringArray, tags: isStringArray },
  name: isString,
  stop: { timeoutMs: isNonNegativeInt },
  restart: { maxRestarts: isNonNegativeInt, delayMs: isNonNegativeInt },
  backend: oneOf('pm2', 'slurm'),
  slurm: {
    partition: isString,
    time: isString,
    cpusPerTask: isPositiveInt,
    mem: isString,
    gpus: isString,
    gres: isString,
    account: isString,
    qos: isString,
    extraArgs: isStringArray,
    setup: isStringArray,
    requeue: isBoolean,
    signal: (v) => (typeof v === 'string' && SIGNAL_SPEC.test(v) ? null : "sbatch's --signal form, [B:]SIGNAL[@SECONDS] ('B:USR1@120')"),
    arrayParallelism: isPositiveInt,
  },
  metrics: { patterns: isStringArray, files: isStringArray },
  resume: { checkpoint: isString, args: isStringArray, maxFruitlessAttempts: isPositiveInt },
  progress: { total: (v) => (typeof v === 'string' && PROGRESS_TOTAL.test(v) ? null : "a step count ('1000000') or one argument of the run in braces ('{total_timesteps}')") },
  // Each sweep is checked against SWEEP_SHAPE below, under its own name.
  sweeps: (v) => (isPlainObject(v) ? null : 'an object of named sweeps ({ ppo: { script, grid, seeds } })'),
  watchdog: { nan: isBoolean, stall: stallProblem, action: oneOf('notify', 'stop', 'resume') },
  notify: { on: isEventList, command: isString, webhook: webhookProblem },
  queue: { maxParallel: isPositiveInt, gpus: isGpuPool, runsPerGpu: isPositiveInt },
};

const isGrid: Check = (v) =>
  isPlainObject(v) && Object.values(v).every((values) => Array.isArray(values) && values.length > 0 && values.every((x) => (typeof x === 'string' && x !== '') || (typeof x === 'number' && Number.isFinite(x))))
    ? null
    : "an object of non-empty value lists ({ lr: ['1e-3', '3e-4'] })";
const isSeeds: Check = (v) =>
  (Array.isArray(v) && v.length > 0 && v.every((s) => Number.isSafeInteger(s) && (s as number) >= 0)) ||
  (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) ||
  (typeof v === 'string' && /^\s*(\d+|\d+-\d+|\d+(,\d+)+)\s*$/.test(v))
    ? null
    : "seeds as [1, 2, 3], '1-5', '1,4,9' or 5 (meaning 1-5)";

const SWEEP_SHAPE: Shape = {
  script: isString,
  grid: isGrid,
  seeds: isSeeds,
  args: isStringArray,
  gpus: isNonNegativeInt,
  name: isString,
  tags: isStringArray,
  argStyle: oneOf('flag', 'equals', 'hydra'),
  seedKey: isString,
};

function checkSweeps(sweeps: unknown): string[] {
  if (!isPlainObject(sweeps)) return [];
  const errors: string[] = [];
  for (const [name, sweep] of Object.entries(sweeps)) {
    const where = `sweeps.${name}`;
    if (!isPlainObject(sweep)) {
      errors.push(`${where}: expected an object ({ script, grid, seeds }), got ${describe(sweep)}`);
      continue;
    }
    if (sweep.script === undefined) errors.push(`${where}.script: missing; name the script the sweep runs`);
    errors.push(...checkShape(sweep, SWEEP_SHAPE, `${where}.`));
  }
  return errors;
}

export function validateConfig(raw: unknown): Validation {
  if (!isPlainObject(raw)) {
    return { ok: false, errors: ['the config must export an object (export default defineConfig({ … }))'] };
  }
  const errors = checkShape(raw, SHAPE, '');
  errors.push(...checkSweeps(raw.sweeps));
  const env = (raw as UserConfig).env;
  if (isPlainObject(env)) {
    for (const key of Object.keys(env)) {
      if (!ENV_KEY.test(key)) errors.push(`env: ${JSON.stringify(key)} is not a valid variable name (letters, digits and _ only, not starting with a digit)`);
    }
  }
  const name = (raw as UserConfig).name;
  if (typeof name === 'string') {
    const unknown = unknownPlaceholders(name);
    if (unknown.length) {
      errors.push(`name: unknown placeholder ${unknown.join(', ')} in ${JSON.stringify(name)} (known: ${NAME_PLACEHOLDERS.join(', ')})`);
    }
  }
  const patterns = (raw as UserConfig).metrics?.patterns;
  if (Array.isArray(patterns)) {
    patterns.forEach((pattern, i) => {
      try {
        new RegExp(pattern);
      } catch (error) {
        errors.push(`metrics.patterns[${i}]: expected a valid regular expression (${(error as Error).message})`);
      }
    });
  }
  errors.push(...resumeProblems((raw as UserConfig).resume));
  return errors.length === 0 ? { ok: true, config: raw as UserConfig } : { ok: false, errors };
}

/** `resume` needs both keys, a glob that stays inside the run directory, and placeholders it knows. */
function resumeProblems(resume: unknown): string[] {
  if (!isPlainObject(resume)) return [];
  const errors: string[] = [];
  const { checkpoint, args } = resume as Partial<ResumeConfig>;
  if (checkpoint === undefined) errors.push("resume.checkpoint: missing: a glob inside the run directory, e.g. 'checkpoints/*.pt'");
  else if (typeof checkpoint === 'string') {
    const problem = checkpointGlobProblem(checkpoint);
    if (problem) errors.push(`resume.checkpoint: ${problem}`);
  }
  if (args === undefined) errors.push("resume.args: missing: the arguments that resume, e.g. ['--resume', '{checkpoint}']");
  else if (Array.isArray(args)) {
    const unknown = unknownResumePlaceholders(args.filter((a): a is string => typeof a === 'string'));
    if (unknown.length) errors.push(`resume.args: unknown placeholder ${unknown.join(', ')} (known: {checkpoint}, {run_dir}, {attempt})`);
  }
  return errors;
}

function checkShape(value: Record<string, unknown>, shape: Shape, prefix: string): string[] {
  const errors: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const where = prefix + key;
    const expected = shape[key];
    if (expected === undefined) {
      errors.push(`${where}: unknown key (known: ${Object.keys(shape).join(', ')})`);
      continue;
    }
    if (child === undefined) continue;
    if (typeof expected === 'function') {
      const problem = expected(child);
      if (problem) errors.push(`${where}: expected ${problem}, got ${describe(child)}`);
    } else if (!isPlainObject(child)) {
      errors.push(`${where}: expected an object, got ${describe(child)}`);
    } else {
      errors.push(...checkShape(child, expected, `${where}.`));
    }
  }
  return errors;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

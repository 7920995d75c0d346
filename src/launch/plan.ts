import path from 'node:path';
import { ENV_KEY, type ResolvedConfig } from '../config/schema.js';
import { UsageError } from '../errors.js';
import { expandNameTemplate, sanitizeName } from '../registry/id.js';
import type { RunRecord, SweepRef } from '../registry/record.js';

/**
 * Decides what `rl-run start` will run, from plain data: no disk, no processes. The executor
 * (launch/execute.ts) carries the plan out.
 */
export interface StartOptions {
  /** A script to run with the interpreter for its extension; null when `command` is a plain command. */
  script: string | null;
  /** Arguments after `--`: the script's arguments, or the whole command when there is no script. */
  rest: string[];
  name?: string;
  tags: string[];
  env: string[];
  cwd?: string;
  interpreter?: string;
  backend?: 'pm2' | 'slurm';
  /** --resume-checkpoint and --resume-args (resume/args.ts lays them over the config). */
  resumeCheckpoint?: string;
  resumeArgs?: string;
  /** The sweep cell this run is (rl-run sweep). */
  sweep?: SweepRef;
  /** `--watchdog`, applied over the config's watchdog (watchdog/settings.ts). */
  watchdog?: string;
  /** GPUs from the queue's pool (default 0). */
  gpus?: number;
  /** Runs (selectors) that must succeed before this one starts. */
  after?: string[];
  /** Queue order: higher first (default 0). */
  priority?: number;
}

/** What the plan needs to know about the world, looked up by the caller. */
export interface LaunchFacts {
  cwd: string;
  user: string;
  now: Date;
  /** Is this path an existing regular file? */
  isFile: (file: string) => boolean;
  /** Can this program be run (a path that exists, or a name found on PATH)? */
  isExecutable: (program: string) => boolean;
  /** Is this path an existing directory? */
  isDirectory: (dir: string) => boolean;
}

/** What a launch decides: the fields of the run record it will write, with their meanings there. */
export type LaunchPlan = Pick<RunRecord, 'name' | 'script' | 'args' | 'command' | 'cwd' | 'interpreter' | 'tags' | 'env' | 'backend' | 'sweep'> & {
  /** What it asks of rl-run's queue; absent: nothing (no GPUs, no order, no dependencies). */
  request?: QueueAsk;
};

/** A run's request to the queue, as given (`after` still selectors until the launch resolves them). */
export interface QueueAsk {
  gpus: number;
  priority: number;
  after: string[];
}

export function planLaunch(options: StartOptions, config: ResolvedConfig, facts: LaunchFacts): LaunchPlan {
  const cwd = path.resolve(facts.cwd, options.cwd ?? '.');
  const env = { ...config.env, ...parseEnvPairs(options.env) };
  const tags = unique([...config.defaults.tags, ...options.tags]);
  const backend = options.backend ?? config.backend;
  const request = queueAsk(options);
  // pm2 takes a start in a missing cwd, shows it online without a pid forever, and start waited 60 s.
  if (options.cwd !== undefined && !facts.isDirectory(cwd)) {
    throw new UsageError(`--cwd ${options.cwd}: ${cwd} is not a directory: give an existing folder`);
  }

  if (options.script === null) {
    const command = options.rest;
    if (command.length === 0) {
      throw new UsageError("nothing to start: give a script ('rl-run start train.py -- --lr 3e-4') or a command after -- ('rl-run start -- python3 -m pkg.train')");
    }
    if (!facts.isExecutable(command[0]!)) {
      throw new UsageError(`'${command[0]}' is not installed or not on PATH: check the command, or give its full path`);
    }
    const name = nameFor(options, config, facts, null, command);
    return { name, script: null, args: command.slice(1), command, cwd, interpreter: null, tags, env, backend, ...cellField(options), ...request };
  }

  const script = path.resolve(cwd, options.script);
  if (!facts.isFile(script)) {
    throw new UsageError(`script ${options.script} not found in ${cwd}: check the path, or start a command with 'rl-run start -- <command>'`);
  }
  const args = [...config.defaults.args, ...options.rest];
  const interpreter = options.interpreter ?? config.interpreters[path.extname(script)] ?? null;
  if (interpreter !== null && !facts.isExecutable(interpreter)) {
    const ext = path.extname(script);
    throw new UsageError(
      `interpreter '${interpreter}' is not installed or not on PATH: install it, pass --interpreter, or set interpreters['${ext}'] in runs.config.ts`,
    );
  }
  const command = interpreter ? [interpreter, script, ...args] : [script, ...args];
  const name = nameFor(options, config, facts, script, command);
  return { name, script, args, command, cwd, interpreter, tags, env, backend, ...cellField(options), ...request };
}

function cellField(options: StartOptions): Pick<LaunchPlan, 'sweep'> {
  return options.sweep ? { sweep: options.sweep } : {};
}

function queueAsk(options: StartOptions): { request?: QueueAsk } {
  const gpus = options.gpus ?? 0;
  const priority = options.priority ?? 0;
  const after = options.after ?? [];
  if (!Number.isInteger(gpus) || gpus < 0) throw new UsageError(`--gpus ${gpus}: expected a whole number >= 0`);
  if (!Number.isSafeInteger(priority)) throw new UsageError(`--priority ${priority}: expected a whole number (higher starts first)`);
  if (gpus === 0 && priority === 0 && after.length === 0) return {};
  return { request: { gpus, priority, after } };
}

function nameFor(options: StartOptions, config: ResolvedConfig, facts: LaunchFacts, script: string | null, command: string[]): string {
  if (options.name !== undefined) return sanitizeName(options.name);
  return expandNameTemplate(config.name, { script, command, user: facts.user, now: facts.now });
}

/**
 * Checks what any launch (start, restart, a config's env) is about to use, before anything is made:
 * a record read back for `restart` is data from disk, not input `start` already checked. A name
 * `../../x` would put the run directory outside runsDir, and a newline or `;` in an env key would
 * add lines to a SLURM batch script (issue 9, item 10). `source` says where the values came from.
 */
export function assertLaunchable(plan: Pick<LaunchPlan, 'name' | 'env' | 'command' | 'cwd'>, source: string): void {
  if (typeof plan.name !== 'string' || sanitizeName(plan.name) !== plan.name) {
    throw new UsageError(
      `${source}: the run name ${JSON.stringify(plan.name)} is not a safe name (letters, digits, '.', '_' and '-'; no '..', no leading dot or dash, at most 64): give one with --name`,
    );
  }
  for (const [key, value] of Object.entries(plan.env)) {
    if (!ENV_KEY.test(key)) throw new UsageError(`${source}: env key ${JSON.stringify(key)} is not a valid variable name (letters, digits and _ only, not starting with a digit)`);
    if (typeof value !== 'string' || value.includes('\0')) throw new UsageError(`${source}: env ${key}: expected a string without NUL characters`);
  }
  if (!Array.isArray(plan.command) || plan.command.length === 0 || plan.command.some((arg) => typeof arg !== 'string' || arg.includes('\0'))) {
    throw new UsageError(`${source}: the command must be a non-empty list of strings without NUL characters`);
  }
  if (typeof plan.cwd !== 'string' || !path.isAbsolute(plan.cwd) || plan.cwd.includes('\0')) {
    throw new UsageError(`${source}: cwd ${JSON.stringify(plan.cwd)} is not an absolute path`);
  }
}

export function parseEnvPairs(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env ${pair}: expected KEY=VALUE, e.g. --env CUDA_VISIBLE_DEVICES=0`);
    const key = pair.slice(0, eq);
    if (!ENV_KEY.test(key)) {
      // Quoted as JSON: a key with a newline must still be one line of message.
      const shown = /^[\x21-\x7e]*$/.test(key) ? `'${key}'` : JSON.stringify(key);
      throw new UsageError(`--env ${shown}=…: ${shown} is not a valid variable name (letters, digits and _ only)`);
    }
    env[key] = pair.slice(eq + 1);
  }
  return env;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

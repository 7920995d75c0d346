import path from 'node:path';
import type { ResolvedConfig } from '../config/schema.js';
import { UsageError } from '../errors.js';
import { expandNameTemplate, sanitizeName } from '../registry/id.js';

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

export interface LaunchPlan {
  name: string;
  script: string | null;
  args: string[];
  command: string[];
  cwd: string;
  interpreter: string | null;
  tags: string[];
  env: Record<string, string>;
  backend: 'pm2' | 'slurm';
}

export function planLaunch(options: StartOptions, config: ResolvedConfig, facts: LaunchFacts): LaunchPlan {
  const cwd = path.resolve(facts.cwd, options.cwd ?? '.');
  const env = { ...config.env, ...parseEnvPairs(options.env) };
  const tags = unique([...config.defaults.tags, ...options.tags]);
  const backend = options.backend ?? config.backend;
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
    return { name, script: null, args: command.slice(1), command, cwd, interpreter: null, tags, env, backend };
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
  return { name, script, args, command, cwd, interpreter, tags, env, backend };
}

function nameFor(options: StartOptions, config: ResolvedConfig, facts: LaunchFacts, script: string | null, command: string[]): string {
  if (options.name !== undefined) return sanitizeName(options.name);
  return expandNameTemplate(config.name, { script, command, user: facts.user, now: facts.now });
}

export function parseEnvPairs(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env ${pair}: expected KEY=VALUE, e.g. --env CUDA_VISIBLE_DEVICES=0`);
    const key = pair.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new UsageError(`--env ${pair}: '${key}' is not a valid variable name (letters, digits and _ only)`);
    }
    env[key] = pair.slice(eq + 1);
  }
  return env;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

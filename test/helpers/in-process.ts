import { main } from '../../src/main.js';
import type { CliResult, Sandbox } from './sandbox.js';

let queue: Promise<unknown> = Promise.resolve();

/**
 * The sandbox, with `cli` calling rl-run's main() in this process instead of spawning node: for
 * tables of CLI calls whose behaviour does not depend on a process boundary (parsing, refusals,
 * reading records and logs). The call sees the sandbox's environment and working directory, as a
 * spawned CLI does; calls run one at a time, since both belong to the process (process.chdir needs
 * vitest's default `forks` pool). A command that reads stdin, starts a run or waits on signals
 * still wants `sandbox.cli`.
 */
export function inProcess(sandbox: Sandbox): Sandbox {
  const cli: Sandbox['cli'] = (args, options = {}) => {
    if (options.input) throw new Error('inProcess: a command that reads stdin runs in its own process (sandbox.cli)');
    const call = queue.then(() => callMain(args, options.cwd ?? sandbox.dir, { ...sandbox.env, ...options.env }));
    queue = call.catch(() => {});
    return call;
  };
  return { ...sandbox, cli };
}

async function callMain(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CliResult> {
  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  const stdout: string[] = [];
  const stderr: string[] = [];
  replaceEnv(env);
  process.chdir(cwd);
  try {
    const code = await main(args, { stdout: (text) => stdout.push(text), stderr: (text) => stderr.push(text) });
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    process.chdir(savedCwd);
    replaceEnv(savedEnv);
  }
}

function replaceEnv(env: NodeJS.ProcessEnv): void {
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  for (const [key, value] of Object.entries(env)) if (value !== undefined) process.env[key] = value;
}

import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { configAbove, rlRunResolvesFrom, userConfigFile } from '../config/shadow.js';
import { UsageError } from '../errors.js';
import { type GlobalArgs, out } from './context.js';

interface InitArgs extends GlobalArgs {
  force?: boolean;
}

export const CONFIG_TEMPLATE = `import { defineConfig } from 'rl-run';

// rl-run's configuration for this project. Every key is optional; the values shown are the defaults.
export default defineConfig({
  // Where run directories go, relative to this file.
  runsDir: 'runs',

  // Interpreter per script extension: a venv or conda python works too ('.venv/bin/python').
  interpreters: { '.py': 'python3', '.sh': 'bash' },

  // Environment variables for every run (rl-run adds RL_RUN_ID, RL_RUN_DIR, RL_RUN_NAME, PYTHONUNBUFFERED=1).
  env: {},

  // Arguments and tags every run starts with; the command line adds to them.
  defaults: { args: [], tags: [] },

  // Run names: {script} (the script's base name), {date} (YYYYMMDD), {user}.
  name: '{script}',

  // rl-run stop: SIGINT first, SIGKILL to the whole process tree after this long.
  stop: { timeoutMs: 30_000 },

  // Start a run again when it exits non-zero, up to maxRestarts times, inside the same run.
  restart: { maxRestarts: 0, delayMs: 1_000 },

  // Metrics for compare: extra regexes over stdout (named groups become metrics), and files to read.
  metrics: { patterns: [] },
});
`;

/**
 * Where rl-run is installed globally only, the import of 'rl-run' does not resolve for tsc or an
 * editor (rl-run itself loads it either way): the same config as a plain object type-checks anywhere.
 */
export const STANDALONE_CONFIG_TEMPLATE = CONFIG_TEMPLATE.replace(
  "import { defineConfig } from 'rl-run';\n\n",
  '',
)
  .replace(
    '\nexport default defineConfig({',
    "\n// rl-run is not installed in this project, so this file imports nothing; with `npm i -D rl-run`,\n// wrap the object in defineConfig() from 'rl-run' to have every key type-checked and completed.\nexport default {",
  )
  .replace(/\}\);\n$/, '};\n');

export const initCommand: CommandModule<GlobalArgs, InitArgs> = {
  command: 'init',
  describe: 'Write a commented runs.config.ts in this folder',
  builder: (yargs: Argv<GlobalArgs>) =>
    yargs.option('force', { type: 'boolean', describe: 'Overwrite an existing runs.config.ts' }).example('$0 init', 'start a project'),
  handler: (argv) => {
    init(process.cwd(), Boolean(argv.force));
  },
};

export function init(dir: string, force: boolean): void {
  const file = path.join(dir, 'runs.config.ts');
  if (existsSync(file) && !force) {
    throw new UsageError(`${file} already exists: edit it, or pass --force to overwrite it`);
  }
  writeFileSync(file, rlRunResolvesFrom(dir) ? CONFIG_TEMPLATE : STANDALONE_CONFIG_TEMPLATE);
  out.line(`wrote ${file}`);
  const above = configAbove(dir);
  const user = userConfigFile();
  if (above) out.line(`note: it shadows ${above}: commands run in ${dir} or below now use this file and its runsDir, not that one`);
  else if (user) out.line(`note: in ${dir} and below it takes the place of your user config ${user}`);
}

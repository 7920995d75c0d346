import { DEFAULTS } from './schema.js';

type DefaultKey = keyof typeof DEFAULTS;

/** One comment per key: keyed by DEFAULTS, so a new default without a line here does not compile. */
const COMMENTS: Record<DefaultKey, string> = {
  runsDir: 'Where run directories go, relative to this file (an absolute path gives one registry for every project).',
  interpreters: "Interpreter per script extension: a venv or conda python works too ('.venv/bin/python').",
  env: 'Environment variables for every run (rl-run adds RL_RUN_ID, RL_RUN_DIR, RL_RUN_NAME, PYTHONUNBUFFERED=1).',
  defaults: 'Arguments and tags every run starts with; the command line adds to them.',
  name: 'Run names: {script} (the script\'s base name), {date} (YYYYMMDD), {user}.',
  stop: 'rl-run stop: SIGINT first, SIGKILL to the whole process tree after this long.',
  restart: 'Start a run again when it exits non-zero, up to maxRestarts times, inside the same run.',
  backend: "'pm2' on this machine, or 'slurm' to submit each run as a batch job (see slurm).",
  slurm: 'For backend slurm: partition, time, cpusPerTask, mem, gpus, gres, account, qos, extraArgs, setup.',
  metrics: 'Metrics for compare: extra regexes over stdout (named groups become metrics), and the files read.',
  progress: "Total steps, for the ETA in ls, show and top: total: '{total_timesteps}' (an argument of the run) or '1000000'. Without it, --total-timesteps, --max-steps, --num-steps and the like are read.",
  sweeps: "Named sweeps for 'rl-run sweep NAME': { ppo: { script: 'train.py', grid: { lr: ['1e-3', '3e-4'] }, seeds: '1-5' } }.",
};

/**
 * The config `rl-run init` writes: every key with its default value and a comment, generated from
 * DEFAULTS so the two cannot drift apart (the hand-written template had). `standalone` writes a
 * plain object, for a project where 'rl-run' does not resolve (installed globally only).
 */
export function configTemplate(standalone: boolean): string {
  const entries = (Object.keys(COMMENTS) as DefaultKey[]).map((key) => `  // ${COMMENTS[key]}\n  ${key}: ${literal(DEFAULTS[key])},`);
  const body = entries.join('\n\n');
  const heading = '// rl-run\'s configuration for this project. Every key is optional; the values shown are the defaults.';
  if (!standalone) return `import { defineConfig } from 'rl-run';\n\n${heading}\nexport default defineConfig({\n${body}\n});\n`;
  return `${heading}\n// rl-run is not installed in this project, so this file imports nothing; with \`npm i -D rl-run\`,\n// wrap the object in defineConfig() from 'rl-run' to have every key type-checked and completed.\nexport default {\n${body}\n};\n`;
}

/** A value as TypeScript source, on one line: single-quoted strings, 30_000-style numbers. */
function literal(value: unknown): string {
  if (typeof value === 'string') return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  if (typeof value === 'number') return Number.isInteger(value) && value >= 10_000 ? value.toString().replace(/\B(?=(\d{3})+$)/g, '_') : String(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (value && typeof value === 'object') {
    const pairs = Object.entries(value).map(([key, item]) => `${/^[A-Za-z_$][\w$]*$/.test(key) ? key : literal(key)}: ${literal(item)}`);
    return pairs.length ? `{ ${pairs.join(', ')} }` : '{}';
  }
  return String(value);
}

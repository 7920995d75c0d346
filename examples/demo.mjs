#!/usr/bin/env node
// `npm run demo`: two runs of examples/train.py that differ only in --lr and last three minutes
// each, so the first commands to try (ls, logs -f, compare, stop) all have something true to show.
// Arguments are passed to every rl-run command (the tests give --runs-dir).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cliCommand } from '../dist/format/invocation.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const script = fileURLToPath(new URL('./train.py', import.meta.url));
const globals = process.argv.slice(2);
// 360 rollouts of 0.5 s: three minutes.
const trainArgs = ['--steps', String(360 * 2048), '--step-time', '0.5'];

const started = [];
for (const lr of ['3e-4', '1e-3']) {
  const result = spawnSync(process.execPath, [cli, ...globals, 'start', script, '--json', '--', '--lr', lr, ...trainArgs], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
  started.push({ lr, ...JSON.parse(result.stdout) });
}

const rl = [cliCommand(cli), ...globals].join(' ');
const lines = [
  'two runs of examples/train.py are training, three minutes each, differing only in --lr:',
  ...started.map((run) => `  ${run.id}  --lr ${run.lr}  (logs in ${run.dir})`),
  '',
  'try:',
  `  ${rl} ls                        # both runs, running`,
  `  ${rl} logs latest -f            # follow the --lr 1e-3 run (Ctrl-C leaves it; the run goes on)`,
  `  ${rl} compare latest latest~1   # the two learning rates side by side, metrics so far`,
  `  ${rl} stop latest               # SIGINT: the example saves a checkpoint and ends`,
];
process.stdout.write(`${lines.join('\n')}\n`);

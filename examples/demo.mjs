#!/usr/bin/env node
// `npm run demo`: a sweep of examples/train.py, 2 learning rates × 3 seeds, each run three minutes,
// so the first commands to try (ls, sweep status, logs -f, compare, top, stop) all have something
// true to show. Arguments are passed to every rl-run command (the tests give --runs-dir).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cliCommand } from '../dist/format/invocation.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const script = fileURLToPath(new URL('./train.py', import.meta.url));
const globals = process.argv.slice(2);
// 360 rollouts of 0.5 s: three minutes.
const trainArgs = ['--steps', String(360 * 2048), '--step-time', '0.5'];

const result = spawnSync(process.execPath, [cli, ...globals, 'sweep', script, '--grid', 'lr=3e-4,1e-3', '--seeds', '1-3', '--json', '--', ...trainArgs], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
});
if (result.status !== 0) process.exit(result.status ?? 1);
const sweep = JSON.parse(result.stdout);

const rl = [cliCommand(cli), ...globals].join(' ');
const lines = [
  `a sweep of examples/train.py is training (${sweep.id}): 2 learning rates × 3 seeds, three minutes each:`,
  ...sweep.started.map((run) => `  ${run.runId}  --lr ${run.cell.lr} --seed ${run.cell.seed}`),
  '',
  'try:',
  `  ${rl} ls                         # the six runs, their CPU, memory and cell`,
  `  ${rl} sweep status latest        # the grid: learning rates × seeds`,
  `  ${rl} logs latest -f             # follow the newest run (Ctrl-C leaves it; the run goes on)`,
  `  ${rl} compare --sweep latest     # seeds grouped: IQM and mean with 95% intervals per learning rate`,
  `  ${rl} top                        # a live view (q quits)`,
  `  ${rl} stop --sweep latest        # SIGINT to all six: the example saves a checkpoint and ends`,
];
process.stdout.write(`${lines.join('\n')}\n`);

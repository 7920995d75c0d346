import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './sandbox.mjs';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'metrics');

/**
 * The console logs of real training runs kept as test fixtures (test/fixtures/metrics/SOURCES.tsv):
 * SB3 and OpenAI-baselines tables, CleanRL lines, a wandb output.log, verl under Ray (ANSI colours,
 * worker prefixes, tqdm redraws, a traceback), and the reinforce/actor_critic/eval shapes of
 * test/fixtures/metrics/written.
 */
export const REAL_LOGS = [
  'console_logs/gail_ppo_cartpole_log.txt',
  'console_logs/humanoidstandup_ppo2_baselines_log.txt',
  'console_logs/maniskill_cleanrl_ppo_nohup.log',
  'console_logs/minigrid_a2c_baselines_log.txt',
  'console_logs/slurm_sb3_ppo_robotaxi_train.out',
  'console_logs/verl_grpo_nohup_train.out',
  'run_dirs/wandb_blpo_hopper/files/output.log',
  'written/reinforce_stdout.log',
  'written/actor_critic_stdout.log',
  'written/actor_critic_interrupt_stderr.log',
  'written/eval_stdout.log',
].map((relative) => path.join(FIXTURES, relative));

/** Writes (or appends, flag 'a') at least `bytes` of the real logs, concatenated and repeated. */
export function writeRealLog(file, bytes, flag = 'w') {
  const logs = REAL_LOGS.map((log) => {
    const text = readFileSync(log);
    // Each log as a whole number of lines, so the next one starts on a line of its own.
    return text.at(-1) === 10 ? text : Buffer.concat([text, Buffer.from('\n')]);
  });
  const round = Buffer.concat(logs);
  const fd = openSync(file, flag);
  try {
    for (let written = 0; written < bytes; ) written += writeSync(fd, round);
  } finally {
    closeSync(fd);
  }
}

import { describe, expect, it } from 'vitest';
import type { SlurmConfig } from '../../src/config/schema.js';
import { layoutOfDir } from '../../src/registry/layout.js';
import { batchScript, jobNameFor, runIdOfJobName, sbatchArgs } from '../../src/supervisor/slurm/script.js';

const layout = layoutOfDir('/scratch/runs/ppo-20260101-120000-abc123');
const base = [
  '--parsable',
  '--job-name=rlrun-ppo-20260101-120000-abc123',
  '--output=/scratch/runs/ppo-20260101-120000-abc123/stdout.log',
  '--error=/scratch/runs/ppo-20260101-120000-abc123/stderr.log',
  '--open-mode=append',
  '--chdir=/home/me/proj',
  '--export=ALL',
];
const script = '/scratch/runs/ppo-20260101-120000-abc123/slurm-job.sh';

describe('sbatchArgs', () => {
  it.each<[string, SlurmConfig, string[]]>([
    ['nothing configured', {}, []],
    ['partition and time', { partition: 'gpu', time: '2-00:00:00' }, ['--partition=gpu', '--time=2-00:00:00']],
    ['resources', { cpusPerTask: 8, mem: '32G', gpus: 'a100:1' }, ['--cpus-per-task=8', '--mem=32G', '--gpus=a100:1']],
    ['gres, account, qos', { gres: 'gpu:2', account: 'rl-lab', qos: 'high' }, ['--gres=gpu:2', '--account=rl-lab', '--qos=high']],
    ['extra arguments last, before the script', { partition: 'cpu', extraArgs: ['--nice=10', '--constraint=ib'] }, ['--partition=cpu', '--nice=10', '--constraint=ib']],
  ])('%s', (_, slurm, extra) => {
    expect(sbatchArgs({ runId: 'ppo-20260101-120000-abc123', layout, cwd: '/home/me/proj', slurm })).toEqual([...base, ...extra, script]);
  });

  it('escapes % in log paths, which sbatch would expand', () => {
    const args = sbatchArgs({ runId: 'x', layout: layoutOfDir('/runs/100%/x'), cwd: '/', slurm: {} });
    expect(args).toContain('--output=/runs/100%%/x/stdout.log');
  });
});

describe('batchScript', () => {
  const record = { id: 'ppo-1', command: ['python3', '/home/me/proj/train.py', '--lr', '3e-4'], cwd: '/home/me/proj', env: {} };
  const runEnv = { RL_RUN_ID: 'ppo-1', RL_RUN_DIR: '/scratch/runs/ppo-1', RL_RUN_NAME: 'ppo', PYTHONUNBUFFERED: '1' };

  it('exports the run variables, enters the cwd, and execs the command so the script gets the signals', () => {
    expect(batchScript({ record, runEnv, setup: [] })).toBe(
      [
        '#!/bin/bash',
        '# Written by rl-run for run ppo-1, submitted with sbatch. Output goes to stdout.log and stderr.log.',
        'export RL_RUN_ID=ppo-1',
        'export RL_RUN_DIR=/scratch/runs/ppo-1',
        'export RL_RUN_NAME=ppo',
        'export PYTHONUNBUFFERED=1',
        'cd /home/me/proj || exit 1',
        'exec python3 /home/me/proj/train.py --lr 3e-4',
        '',
      ].join('\n'),
    );
  });

  it.each([
    ['setup lines run before the exec', { setup: ['module load cuda/12', 'source .venv/bin/activate'] }, /# slurm.setup.*\nmodule load cuda\/12\nsource \.venv\/bin\/activate\nexec python3/],
    ["the run's own env is exported, quoted", { env: { WANDB_NAME: "it's mine", EMPTY: '' } }, /export WANDB_NAME='it'\\''s mine'\nexport EMPTY=''\n/],
    ['arguments with spaces stay one argument', { command: ['python3', 't.py', '--note', 'two words'] }, /exec python3 t\.py --note 'two words'\n$/],
    ['a cwd with a space is quoted', { cwd: '/home/me/my proj' }, /cd '\/home\/me\/my proj' \|\| exit 1/],
  ])('%s', (_, change, expected) => {
    const { setup = [], ...recordChange } = change as { setup?: string[] } & Partial<typeof record>;
    expect(batchScript({ record: { ...record, ...recordChange }, runEnv, setup })).toMatch(expected);
  });
});

describe('job names', () => {
  it.each([
    ['rlrun-ppo-20260101-120000-abc123', 'ppo-20260101-120000-abc123'],
    ['rlrun-', null],
    ['train', null],
    ['wrap', null],
  ])('%s → %s', (name, runId) => {
    expect(runIdOfJobName(name)).toBe(runId);
  });

  it('round-trips a run id', () => {
    expect(runIdOfJobName(jobNameFor('a-20260101-000000-zzzzzz'))).toBe('a-20260101-000000-zzzzzz');
  });
});

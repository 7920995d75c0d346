import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SlurmConfig } from '../../src/config/schema.js';
import { layoutOfDir } from '../../src/registry/run-dir/index.js';
import { batchScript, jobNameFor, runIdOfJobName, sbatchArgs, warningToIgnore } from '../../src/supervisor/slurm/script.js';
import { waitFor } from '../helpers/sandbox.js';

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

describe('batchScript: nothing from a record adds lines to the script', () => {
  const record = { id: 'ppo-1', command: ['python3', 't.py'], cwd: '/p', env: {} };
  const lines = (script: string) => script.split('\n');

  it.each([
    ['a newline and a command', 'x\ntouch MARKER'],
    ['a semicolon', 'a; touch MARKER'],
    ['a command substitution', '$(touch MARKER) `touch MARKER`'],
    ['quotes', "it's'; touch MARKER; '\"; touch MARKER"],
  ])('a value with %s reaches the script as it is, and runs nothing (run by bash)', (_, template) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rl-run-script-'));
    try {
      const marker = path.join(dir, 'pwned');
      const value = template.replaceAll('MARKER', marker);
      const script = batchScript({ record: { id: 'ppo-1', command: ['printenv', 'WANDB_NOTES'], cwd: dir, env: { WANDB_NOTES: value } }, runEnv: {}, setup: [] });
      expect(execFileSync('bash', ['-c', script], { encoding: 'utf8' })).toBe(`${value}\n`);
      expect(existsSync(marker)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([['X\nrm -rf ~'], ['A;B'], ['A B'], ['$(id)']])('an env key %j is refused, not written', (key) => {
    expect(() => batchScript({ record: { ...record, env: { [key]: '1' } }, runEnv: {}, setup: [] })).toThrow(/is not a valid variable name/);
  });

  it('an id with a newline cannot end the comment line', () => {
    const script = batchScript({ record: { ...record, id: 'x\ntouch /tmp/pwned' }, runEnv: {}, setup: [] });
    expect(lines(script).filter((line) => line.startsWith('touch'))).toEqual([]);
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

describe('the time-limit warning of slurm.requeue', () => {
  it.each<[string, SlurmConfig, string | null]>([
    ['no requeue: nothing ignored', { signal: 'B:USR1@120' }, null],
    ['requeue with the default B:USR1@120', { requeue: true }, 'USR1'],
    ['USR2, with SIG and without B:', { requeue: true, signal: 'SIGUSR2@300' }, 'USR2'],
    ['by number', { requeue: true, signal: 'B:10@60' }, 'USR1'],
    ['TERM is never ignored: it is how SLURM and scancel end the job', { requeue: true, signal: 'B:TERM@120' }, null],
  ])('%s', (_, slurm, expected) => {
    expect(warningToIgnore(slurm)).toBe(expected);
  });

  it('is ignored just before exec, so it reaches the script only through a handler of its own', () => {
    const text = batchScript({ record: { id: 'ppo-1', command: ['python3', 'train.py'], cwd: '/p', env: {} }, runEnv: {}, setup: [], ignoreSignal: 'USR1' });
    const lines = text.trimEnd().split('\n');
    expect(lines.at(-2)).toBe("trap '' USR1");
    expect(lines.at(-1)).toBe('exec python3 train.py');
  });

  // The fault for real: SLURM's B:USR1 goes to the batch shell, which exec made the script.
  // Unhandled, SIGUSR1 killed it (the job ended FAILED 0:10 and was never requeued).
  it.each([
    ['a script without a handler lives on', 'import time\nprint("up", flush=True)\ntime.sleep(30)\n', /^up\n$/],
    ['a script with a handler gets the warning', 'import signal, sys, time\nsignal.signal(signal.SIGUSR1, lambda *a: (print("warned", flush=True), sys.exit(0)))\nprint("up", flush=True)\ntime.sleep(30)\n', /^up\nwarned\n$/],
  ])('%s', async (_, program, expected) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rl-run-usr1-'));
    try {
      const file = path.join(dir, 'job.sh');
      writeFileSync(file, batchScript({ record: { id: 'x', command: ['python3', '-c', program], cwd: dir, env: {} }, runEnv: {}, setup: [], ignoreSignal: 'USR1' }));
      const child = spawn('bash', [file], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      await waitFor('the script to start', () => out.includes('up'));
      child.kill('SIGUSR1');
      const ended = await Promise.race([new Promise((resolve) => child.once('exit', () => resolve(true))), sleep(1_500).then(() => false)]);
      if (!ended) child.kill('SIGKILL');
      expect(out).toMatch(expected);
      expect(ended).toBe(expected.source.includes('warned'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

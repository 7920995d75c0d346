import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/validate.js';

describe('sweeps and slurm.arrayParallelism in runs.config.ts', () => {
  it('accepts named sweeps and an array parallelism', () => {
    const config = {
      slurm: { arrayParallelism: 4 },
      sweeps: {
        ppo: { script: 'train.py', grid: { lr: [1e-3, '3e-4'], 'ent-coef': [0] }, seeds: '1-5', args: ['--steps', '10'], gpus: 1, argStyle: 'hydra', seedKey: 'random-seed', tags: ['a'], name: 'p' },
        sac: { script: 'sac.py', seeds: [1, 4, 9] },
        dqn: { script: 'dqn.py', seeds: 3 },
      },
    };
    expect(validateConfig(config)).toEqual({ ok: true, config });
  });

  it.each([
    [{ slurm: { arrayParallelism: 0 } }, 'slurm.arrayParallelism: expected a whole number > 0, got number 0'],
    [{ slurm: { requeue: true, signal: 'USR1 at 120' } }, "slurm.signal: expected sbatch's --signal form, [B:]SIGNAL[@SECONDS] ('B:USR1@120')"],
    [{ sweeps: [] }, 'sweeps: expected an object of named sweeps'],
    [{ sweeps: { ppo: 'train.py' } }, 'sweeps.ppo: expected an object ({ script, grid, seeds }), got "train.py"'],
    [{ sweeps: { ppo: { grid: {} } } }, 'sweeps.ppo.script: missing'],
    [{ sweeps: { ppo: { script: 'x.py', gird: {} } } }, 'sweeps.ppo.gird: unknown key (known: script, grid, seeds, args, gpus, name, tags, argStyle, seedKey)'],
    [{ sweeps: { ppo: { script: 'x.py', grid: { lr: [] } } } }, 'sweeps.ppo.grid: expected an object of non-empty value lists'],
    [{ sweeps: { ppo: { script: 'x.py', grid: { lr: [''] } } } }, 'sweeps.ppo.grid: expected an object of non-empty value lists'],
    [{ sweeps: { ppo: { script: 'x.py', seeds: '5-' } } }, "sweeps.ppo.seeds: expected seeds as [1, 2, 3], '1-5', '1,4,9' or 5"],
    [{ sweeps: { ppo: { script: 'x.py', seeds: 0 } } }, "sweeps.ppo.seeds: expected seeds as"],
    [{ sweeps: { ppo: { script: 'x.py', argStyle: 'posix' } } }, "sweeps.ppo.argStyle: expected one of 'flag', 'equals', 'hydra'"],
    [{ sweeps: { ppo: { script: 'x.py', gpus: -1 } } }, 'sweeps.ppo.gpus: expected a whole number >= 0'],
  ])('refuses %j, naming the key', (config, message) => {
    const result = validateConfig(config);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toContain(message);
  });
});

import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.js';
import { UsageError } from '../../src/errors.js';
import { type StartOptions, assertLaunchable, parseEnvPairs, planLaunch } from '../../src/launch/plan.js';

const config = resolveConfig({ env: { OMP_NUM_THREADS: '1' }, defaults: { args: ['--seed', '0'], tags: ['base'] } }, null, '/proj');
const facts = {
  cwd: '/proj',
  user: 'ada',
  now: new Date(2026, 10, 24),
  isFile: (file: string) => ['/proj/train.py', '/proj/sub/run.sh', '/proj/tool'].includes(file),
  isExecutable: (program: string) => ['python3', 'bash', '/opt/venv/bin/python', 'node', '/proj/tool'].includes(program),
  isDirectory: (dir: string) => ['/proj', '/proj/sub'].includes(dir),
};
const options = (over: Partial<StartOptions>): StartOptions => ({ script: null, rest: [], tags: [], env: [], ...over });

describe('planLaunch', () => {
  it('runs a .py script with python3, config args first, then the given ones', () => {
    const plan = planLaunch(options({ script: 'train.py', rest: ['--lr', '3e-4'] }), config, facts);
    expect(plan).toMatchObject({
      name: 'train',
      script: '/proj/train.py',
      interpreter: 'python3',
      args: ['--seed', '0', '--lr', '3e-4'],
      command: ['python3', '/proj/train.py', '--seed', '0', '--lr', '3e-4'],
      cwd: '/proj',
      tags: ['base'],
      env: { OMP_NUM_THREADS: '1' },
      backend: 'pm2',
    });
  });

  it.each([
    [{ script: 'sub/run.sh' } as Partial<StartOptions>, ['bash', '/proj/sub/run.sh', '--seed', '0']],
    [{ script: 'train.py', interpreter: '/opt/venv/bin/python' }, ['/opt/venv/bin/python', '/proj/train.py', '--seed', '0']],
    [{ script: 'tool' }, ['/proj/tool', '--seed', '0']],
    [{ rest: ['python3', '-m', 'pkg.train', '--x', '1'] }, ['python3', '-m', 'pkg.train', '--x', '1']],
  ])('%j → %j', (over, command) => {
    expect(planLaunch(options(over as Partial<StartOptions>), config, facts).command).toEqual(command);
  });

  it('takes --name, --tag and --env over the config', () => {
    const plan = planLaunch(options({ script: 'train.py', name: 'my run/1', tags: ['sweep', 'base'], env: ['OMP_NUM_THREADS=4', 'X=a=b'] }), config, facts);
    expect(plan.name).toBe('my-run-1');
    expect(plan.tags).toEqual(['base', 'sweep']);
    expect(plan.env).toEqual({ OMP_NUM_THREADS: '4', X: 'a=b' });
  });

  it.each([
    [options({ script: 'missing.py' }), /script missing.py not found in \/proj/],
    [options({ script: 'train.py', interpreter: 'python9' }), /interpreter 'python9' is not installed.*--interpreter/],
    [options({ rest: ['nosuchprogram', '--x'] }), /'nosuchprogram' is not installed or not on PATH/],
    [options({}), /nothing to start/],
    [options({ script: 'train.py', env: ['NOEQUALS'] }), /--env NOEQUALS: expected KEY=VALUE/],
    [options({ script: 'train.py', cwd: 'gone' }), /--cwd gone: \/proj\/gone is not a directory/],
    [options({ rest: ['python3'], cwd: 'train.py' }), /--cwd train.py: \/proj\/train.py is not a directory/],
  ])('refuses bad input with a UsageError: %#', (bad, message) => {
    expect(() => planLaunch(bad, config, facts)).toThrow(UsageError);
    expect(() => planLaunch(bad, config, facts)).toThrow(message);
  });
});

describe('parseEnvPairs', () => {
  it.each([
    [['A=1'], { A: '1' }],
    [['A='], { A: '' }],
    [['A=x=y'], { A: 'x=y' }],
  ])('%j → %j', (pairs, env) => {
    expect(parseEnvPairs(pairs)).toEqual(env);
  });
  it.each([['=1'], ['1A=2'], ['A-B=1'], ['A;B=1'], ['X\nrm -rf ~=1']])('refuses %j', (pair) => {
    expect(() => parseEnvPairs([pair])).toThrow(UsageError);
  });
  it('names a key with a newline on one line', () => {
    expect(() => parseEnvPairs(['X\nY=1'])).toThrow(/^--env "X\\nY"=…: "X\\nY" is not a valid variable name/);
  });
});

describe('assertLaunchable: what a record read back may launch', () => {
  const good = { name: 'ppo', env: { WANDB_MODE: 'offline' }, command: ['python3', '/p/train.py'], cwd: '/p' };
  it('accepts what start would make', () => {
    expect(() => assertLaunchable(good, 'restart')).not.toThrow();
  });
  it.each([
    [{ name: '../../escaped' }, /the run name "\.\.\/\.\.\/escaped" is not a safe name/],
    [{ name: 'a/b' }, /not a safe name/],
    [{ name: '.hidden' }, /not a safe name/],
    [{ name: 'x\ny' }, /not a safe name/],
    [{ name: '' }, /not a safe name/],
    [{ name: 5 }, /not a safe name/],
    [{ env: { 'A;B': '1' } }, /env key "A;B" is not a valid variable name/],
    [{ env: { 'A\nrm -rf ~': '1' } }, /env key "A\\nrm -rf ~" is not a valid variable name/],
    [{ env: { 'A B': '1' } }, /env key "A B"/],
    [{ env: { A: 5 } }, /env A: expected a string/],
    [{ env: { A: 'x\0y' } }, /env A: expected a string without NUL/],
    [{ command: [] }, /the command must be a non-empty list/],
    [{ command: ['python3', 7] }, /the command must be a non-empty list of strings/],
    [{ cwd: 'relative' }, /cwd "relative" is not an absolute path/],
  ])('%j → UsageError', (change, message) => {
    expect(() => assertLaunchable({ ...good, ...(change as object) } as typeof good, 'restart')).toThrow(UsageError);
    expect(() => assertLaunchable({ ...good, ...(change as object) } as typeof good, 'restart')).toThrow(message);
  });
});

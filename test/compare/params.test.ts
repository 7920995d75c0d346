import { describe, expect, it } from 'vitest';
import { differingParams, type Params, parseArgParams } from '../../src/compare/params.js';

describe('script arguments as parameters', () => {
  it.each<[string[], Params]>([
    [['--lr', '3e-4'], { lr: 0.0003 }],
    [['--lr=3e-4'], { lr: 0.0003 }],
    [['--lr', '0.0003', '--seed', '1'], { lr: 0.0003, seed: 1 }],
    [['--no-norm'], { norm: false }],
    [['--norm'], { norm: true }],
    [['--norm', '--lr', '1'], { norm: true, lr: 1 }],
    [['--offset', '-5'], { offset: -5 }],
    [['--env', 'CartPole-v1'], { env: 'CartPole-v1' }],
    [['--cuda', 'false'], { cuda: false }],
    [['-n', '8'], { n: 8 }],
    [['optim.lr=3e-4', '+model.layers=2', '++seed=3'], { 'optim.lr': 0.0003, 'model.layers': 2, seed: 3 }],
    [['train.py', 'extra'], { arg1: 'train.py', arg2: 'extra' }],
    [['--', '--lr', '2'], { lr: 2 }],
  ])('%j', (args, expected) => {
    expect(parseArgParams(args)).toEqual(expected);
  });
});

describe('differingParams', () => {
  it.each<[string, Params[], string[]]>([
    ['numbers compare as numbers', [{ lr: 0.0003 }, parseArgParams(['--lr', '3e-4'])], []],
    ['a different value', [{ lr: 1, seed: 0 }, { lr: 2, seed: 0 }], ['lr']],
    ['missing in one run', [{ lr: 1 }, { lr: 1, norm: false }], ['norm']],
    ['one run: nothing differs', [{ lr: 1 }], []],
  ])('%s', (_, runs, expected) => {
    expect(differingParams(runs)).toEqual(expected);
  });
});

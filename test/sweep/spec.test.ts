import { describe, expect, it } from 'vitest';
import { cellViews, cellsToResume, countStates, statusGrid } from '../../src/sweep/cells.js';
import { cellArgs, cellKey, checkGrid, expandCells, parseArgStyle, parseGridFlag, parseSeeds } from '../../src/sweep/spec.js';

const grid = [parseGridFlag('lr=1e-3,3e-4'), parseGridFlag('ent-coef=0,0.01')];

describe('sweep grid and seeds', () => {
  it.each([
    ['1-5', [1, 2, 3, 4, 5]],
    ['1,4,9', [1, 4, 9]],
    ['5', [1, 2, 3, 4, 5]],
    ['3-3', [3]],
    [' 2-4 ', [2, 3, 4]],
  ])('--seeds %s', (text, seeds) => {
    expect(parseSeeds(text)).toEqual(seeds);
  });

  it.each(['0', '5-1', '1,,2', 'a', '1-', '1,1', '-3', '1.5', '99999'])('--seeds %s is refused with one line', (text) => {
    expect(() => parseSeeds(text)).toThrow(/^--seeds .*expected 1-5 \(a range\), 1,4,9 \(a list\) or 5|a seed is given twice/);
  });

  it.each([
    ['lr', /expected KEY=V1,V2/],
    ['=1,2', /expected KEY=V1,V2/],
    ['lr=', /empty value/],
    ['lr=1,,2', /empty value/],
    ['lr=1,1', /given twice/],
    ['--lr=1', /not a usable key/],
    ['l r=1', /not a usable key/],
  ])('--grid %s is refused', (flag, message) => {
    expect(() => parseGridFlag(flag)).toThrow(message);
  });

  it('keeps values as written and refuses a key given twice or a seed in the grid', () => {
    expect(parseGridFlag('lr=1e-3,0.00030')).toEqual({ key: 'lr', values: ['1e-3', '0.00030'] });
    expect(() => checkGrid([...grid, parseGridFlag('lr=1')], 'seed')).toThrow(/--grid lr given twice/);
    expect(() => checkGrid([parseGridFlag('seed=1,2')], 'seed')).toThrow(/not a grid key; give it with --seeds/);
    expect(() => parseArgStyle('posix')).toThrow("--arg-style 'posix': expected one of flag, equals, hydra");
  });

  it('expands the grid in the order given, then the seeds', () => {
    const cells = expandCells({ grid, seeds: [1, 2, 3] });
    expect(cells).toHaveLength(12);
    expect(cells.slice(0, 4)).toEqual([
      { lr: '1e-3', 'ent-coef': '0', seed: 1 },
      { lr: '1e-3', 'ent-coef': '0', seed: 2 },
      { lr: '1e-3', 'ent-coef': '0', seed: 3 },
      { lr: '1e-3', 'ent-coef': '0.01', seed: 1 },
    ]);
    expect(cells[11]).toEqual({ lr: '3e-4', 'ent-coef': '0.01', seed: 3 });
  });

  it.each([
    ['flag', 'seed', ['--lr', '1e-3', '--ent-coef', '0', '--seed', '2']],
    ['equals', 'seed', ['--lr=1e-3', '--ent-coef=0', '--seed=2']],
    ['hydra', 'seed', ['lr=1e-3', 'ent-coef=0', 'seed=2']],
    ['flag', 'random-seed', ['--lr', '1e-3', '--ent-coef', '0', '--random-seed', '2']],
  ] as const)('cell arguments in %s style with seed key %s', (argStyle, seedKey, args) => {
    expect(cellArgs({ lr: '1e-3', 'ent-coef': '0', seed: 2 }, { grid, argStyle, seedKey })).toEqual(args);
  });
});

describe('which cells a resume starts', () => {
  const sweep = { grid, seeds: [1, 2], cells: expandCells({ grid, seeds: [1, 2] }).map((cell) => ({ cell, runs: [] })) };
  const run = (i: number, id: string, state: string, createdAt = '2026-01-01T00:00:00.000Z') => ({ id, createdAt, cell: sweep.cells[i]!.cell, state: state as never });

  it('takes the newest run of each cell and starts the missing, failed and lost ones', () => {
    const views = cellViews(sweep, [
      run(0, 'a', 'failed', '2026-01-01T00:00:00.000Z'),
      run(0, 'b', 'succeeded', '2026-01-02T00:00:00.000Z'),
      run(1, 'c', 'failed'),
      run(2, 'd', 'lost'),
      run(3, 'e', 'stopped'),
      run(4, 'f', 'running'),
      run(5, 'g', 'queued'),
      run(6, 'h', 'pending'),
    ]);
    expect(views[0]).toMatchObject({ runId: 'b', status: 'succeeded' });
    expect(cellsToResume(views, false).map((v) => v.index)).toEqual([1, 2, 7]);
    expect(cellsToResume(views, true).map((v) => v.index)).toEqual([1, 2, 3, 7]);
    expect(countStates(views)).toEqual({ succeeded: 1, failed: 1, lost: 1, stopped: 1, running: 1, queued: 1, pending: 1, missing: 1 });
  });

  it('matches a run to its cell by value, whatever the key order in its record', () => {
    expect(cellKey({ seed: 1, 'ent-coef': '0', lr: '1e-3' }, grid)).toBe(cellKey({ lr: '1e-3', 'ent-coef': '0', seed: 1 }, grid));
  });

  it('lays the status grid out as combinations by seeds', () => {
    const rows = statusGrid(sweep, cellViews(sweep, [run(1, 'c', 'failed')]));
    expect(rows).toHaveLength(4);
    expect(rows[0]!.combo).toEqual({ lr: '1e-3', 'ent-coef': '0' });
    expect(rows[0]!.bySeed.map((v) => v?.status)).toEqual(['missing', 'failed']);
  });
});

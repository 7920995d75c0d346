import { describe, expect, it } from 'vitest';
import { type IndexEntry, resolveSelector } from '../../src/registry/selector.js';

const index: IndexEntry[] = [
  { id: 'ppo-20261124-120003-aaaaaa', name: 'ppo' },
  { id: 'sac-20261124-120002-bbbbbb', name: 'sac' },
  { id: 'ppo-20261124-120001-cccccc', name: 'ppo' },
  { id: 'ppo-lstm-20261124-120000-dddddd', name: 'ppo-lstm' },
];

describe('resolveSelector', () => {
  it.each([
    ['latest', 'ppo-20261124-120003-aaaaaa'],
    ['latest~0', 'ppo-20261124-120003-aaaaaa'],
    ['latest~1', 'sac-20261124-120002-bbbbbb'],
    ['latest~3', 'ppo-lstm-20261124-120000-dddddd'],
    ['sac-20261124-120002-bbbbbb', 'sac-20261124-120002-bbbbbb'],
    ['sac', 'sac-20261124-120002-bbbbbb'],
    ['ppo', 'ppo-20261124-120003-aaaaaa'],
    ['ppo-lstm', 'ppo-lstm-20261124-120000-dddddd'],
    ['ppo-20261124-120001', 'ppo-20261124-120001-cccccc'],
  ])('%s → %s', (selector, id) => {
    expect(resolveSelector(selector, index)).toEqual({ kind: 'found', id });
  });

  it('lists the candidates of an ambiguous prefix', () => {
    expect(resolveSelector('ppo-2026', index)).toEqual({
      kind: 'ambiguous',
      candidates: ['ppo-20261124-120003-aaaaaa', 'ppo-20261124-120001-cccccc'],
    });
  });

  it('suggests close names for an unknown one', () => {
    const result = resolveSelector('ppp', index);
    expect(result.kind).toBe('unknown');
    expect(result.kind === 'unknown' && result.suggestions).toContain('ppo-20261124-120003-aaaaaa');
  });

  it('says unknown for latest~N past the oldest run', () => {
    expect(resolveSelector('latest~4', index)).toEqual({ kind: 'unknown', suggestions: [] });
  });
});

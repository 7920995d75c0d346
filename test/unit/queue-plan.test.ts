import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.js';
import { validateConfig } from '../../src/config/validate.js';
import { parseNvidiaSmi } from '../../src/resources/gpu.js';
import { type DispatchInput, type WaitingRun, impossibleRequest, pickGpus, planDispatch } from '../../src/queue/plan.js';
import type { RunState } from '../../src/registry/record.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/nvidia-smi/${name}`, import.meta.url), 'utf8');

let clock = 0;
const waiting = (id: string, extra: Partial<WaitingRun> = {}): WaitingRun => ({
  id,
  priority: 0,
  enqueuedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, clock++)).toISOString(),
  after: [],
  gpus: 0,
  ...extra,
});

function plan(input: Partial<DispatchInput> & { states?: Record<string, RunState> }) {
  const states = input.states ?? {};
  return planDispatch({
    settings: input.settings ?? { maxParallel: null, pool: null, runsPerGpu: 1 },
    active: input.active ?? [],
    waiting: input.waiting ?? [],
    stateOf: (id) => states[id],
  });
}

describe('planDispatch', () => {
  it('fills free slots in queue order and says why the rest wait, with their place', () => {
    const decisions = plan({ settings: { maxParallel: 2, pool: null, runsPerGpu: 1 }, active: [{ id: 'r', gpus: [] }], waiting: [waiting('a'), waiting('b'), waiting('c')] });
    expect(decisions).toEqual([
      { kind: 'start', id: 'a', gpus: [] },
      { kind: 'wait', id: 'b', reason: 'waiting for a slot (2 of 2 running)', position: 1 },
      { kind: 'wait', id: 'c', reason: 'waiting for a slot (2 of 2 running)', position: 2 },
    ]);
  });

  it('orders by priority (higher first), then the oldest', () => {
    const old = waiting('old');
    const urgent = waiting('urgent', { priority: 5 });
    const young = waiting('young');
    const decisions = plan({ settings: { maxParallel: 1, pool: null, runsPerGpu: 1 }, waiting: [young, old, urgent] });
    expect(decisions.map((d) => [d.kind, d.id])).toEqual([
      ['start', 'urgent'],
      ['wait', 'old'],
      ['wait', 'young'],
    ]);
  });

  it('places GPUs: least used first, never over runsPerGpu, and says how many are busy', () => {
    const settings = { maxParallel: null, pool: [0, 1, 2, 3], runsPerGpu: 1 };
    const decisions = plan({ settings, active: [{ id: 'x', gpus: [1] }], waiting: [waiting('a', { gpus: 2 }), waiting('b', { gpus: 2 }), waiting('c', { gpus: 1 })] });
    expect(decisions).toEqual([
      { kind: 'start', id: 'a', gpus: [0, 2] },
      { kind: 'wait', id: 'b', reason: 'waiting for 2 GPUs (3 of 4 busy)', position: 1 },
      { kind: 'start', id: 'c', gpus: [3] },
    ]);
  });

  it('shares a GPU between runsPerGpu runs, spreading first', () => {
    const settings = { maxParallel: null, pool: [0, 1], runsPerGpu: 2 };
    const decisions = plan({ settings, waiting: ['a', 'b', 'c', 'd', 'e'].map((id) => waiting(id, { gpus: 1 })) });
    expect(decisions.map((d) => (d.kind === 'start' ? d.gpus.join(',') : d.kind))).toEqual(['0', '1', '0', '1', 'wait']);
    expect(decisions[4]).toMatchObject({ reason: 'waiting for a GPU (2 of 2 busy)' });
  });

  it('a run with 0 GPUs needs no GPU, only a slot', () => {
    const decisions = plan({ settings: { maxParallel: 3, pool: [0], runsPerGpu: 1 }, active: [{ id: 'x', gpus: [0] }], waiting: [waiting('a')] });
    expect(decisions).toEqual([{ kind: 'start', id: 'a', gpus: [] }]);
  });

  it('--after: waits while a dependency runs, starts once all succeeded, fails when one failed, was stopped or lost', () => {
    const states: Record<string, RunState> = { ok: 'succeeded', live: 'running', bad: 'failed', gone: 'stopped', lost: 'lost' };
    const decisions = plan({
      states,
      waiting: [waiting('w', { after: ['ok', 'live'] }), waiting('s', { after: ['ok'] }), waiting('f', { after: ['ok', 'bad'] }), waiting('g', { after: ['gone'] }), waiting('l', { after: ['lost'] }), waiting('m', { after: ['missing'] })],
    });
    expect(decisions).toEqual([
      { kind: 'wait', id: 'w', reason: 'after live (running)', position: 1 },
      { kind: 'start', id: 's', gpus: [] },
      { kind: 'fail', id: 'f', reason: 'dependency bad failed' },
      { kind: 'fail', id: 'g', reason: 'dependency gone failed' },
      { kind: 'fail', id: 'l', reason: 'dependency lost failed' },
      { kind: 'fail', id: 'm', reason: 'dependency missing failed (its record is gone)' },
    ]);
  });

  it('pickGpus picks the lowest indices among the least used', () => {
    expect(pickGpus(new Map([[3, 0], [1, 0], [2, 1]]), 2, 2)).toEqual([1, 3]);
    expect(pickGpus(new Map([[0, 1]]), 1, 1)).toBeNull();
    expect(pickGpus(new Map(), 0, 1)).toEqual([]);
  });

  it('refuses at start a request the pool can never meet', () => {
    expect(impossibleRequest({ maxParallel: null, pool: [0, 1], runsPerGpu: 4 }, 3)).toMatch(/^--gpus 3: the GPU pool has only 2 \(0, 1\)/);
    expect(impossibleRequest({ maxParallel: 2, pool: null, runsPerGpu: 1 }, 1)).toMatch(/no GPU pool is configured: set queue.gpus/);
    expect(impossibleRequest({ maxParallel: 2, pool: null, runsPerGpu: 1 }, 0)).toBeNull();
  });
});

describe('nvidia-smi --query-gpu=index,memory.total,memory.used --format=csv,noheader,nounits', () => {
  it('reads an 8-GPU machine', () => {
    const gpus = parseNvidiaSmi(fixture('8xh100.csv'));
    expect(gpus.map((g) => g.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(gpus[1]).toEqual({ index: 1, memoryTotal: 81559, memoryUsed: 71234 });
  });
  it('reads one GPU, and [N/A] memory keeps the index', () => {
    expect(parseNvidiaSmi(fixture('1x-rtx4090.csv'))).toEqual([{ index: 0, memoryTotal: 24576, memoryUsed: 1123 }]);
    expect(parseNvidiaSmi(fixture('mig-na.csv')).map((g) => g.index)).toEqual([0, 1]);
  });
  it('refuses a line it cannot read rather than finding no GPU', () => {
    expect(() => parseNvidiaSmi('NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.\n')).toThrow(/unexpected nvidia-smi line/);
    expect(parseNvidiaSmi('')).toEqual([]);
  });
});

describe('queue config', () => {
  it.each([
    [{ queue: { maxParallel: 0 } }, 'queue.maxParallel: expected a whole number > 0'],
    [{ queue: { gpus: [0, 0] } }, "queue.gpus: expected 'auto' or a non-empty array of distinct GPU indices"],
    [{ queue: { gpus: 'all' } }, "queue.gpus: expected 'auto' or a non-empty array"],
    [{ queue: { runsPerGpu: 1.5 } }, 'queue.runsPerGpu: expected a whole number > 0'],
    [{ queue: { slots: 2 } }, 'queue.slots: unknown key'],
  ])('%j → %s', (raw, message) => {
    const validation = validateConfig(raw);
    expect(validation.ok).toBe(false);
    if (!validation.ok) expect(validation.errors[0]).toContain(message);
  });

  it('resolves no section to null and a section to its defaults', () => {
    expect(resolveConfig({}, null, '/tmp').queue).toBeNull();
    expect(resolveConfig({ queue: { maxParallel: 2 } }, null, '/tmp').queue).toEqual({ maxParallel: 2, gpus: null, runsPerGpu: 1 });
    expect(validateConfig({ queue: { maxParallel: 2, gpus: 'auto', runsPerGpu: 2 } }).ok).toBe(true);
  });
});

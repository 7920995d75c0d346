import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RuntimeError, UsageError } from '../../src/errors.js';
import { Registry } from '../../src/registry/registry.js';
import { endedRecord } from '../support/processes.mjs';

describe('Registry.resolve with unreadable run directories', () => {
  let runsDir: string;
  const good = 'ppo-20260101-120000-aaaaaa';
  const damaged = 'ppo-20260101-130000-bbbbbb';
  beforeEach(() => {
    runsDir = mkdtempSync(path.join(tmpdir(), 'rl-run-registry-'));
    for (const id of [good, damaged, 'sac-20260101-110000-cccccc']) mkdirSync(path.join(runsDir, id));
    writeFileSync(path.join(runsDir, good, 'run.json'), JSON.stringify({ ...endedRecord(good, 'h'), createdAt: '2026-01-01T12:00:00.000Z' }));
    writeFileSync(path.join(runsDir, 'sac-20260101-110000-cccccc', 'run.json'), JSON.stringify(endedRecord('sac-20260101-110000-cccccc', 'h')));
    writeFileSync(path.join(runsDir, damaged, 'run.json'), '{"id": "trunc');
  });
  afterEach(() => rmSync(runsDir, { recursive: true, force: true }));

  it.each([
    ['latest', good],
    ['latest~1', 'sac-20260101-110000-cccccc'],
    ['ppo', good],
    ['ppo-20260101', good],
    ['sac', 'sac-20260101-110000-cccccc'],
  ])('%s → %s, passing over the damaged newest ppo', (selector, id) => {
    expect(new Registry(runsDir).resolve(selector).record.id).toBe(id);
  });

  it('names a damaged run given by its full id', () => {
    expect(() => new Registry(runsDir).resolve(damaged)).toThrow(RuntimeError);
    expect(() => new Registry(runsDir).resolve(damaged)).toThrow(/cannot be read: run.json is not valid JSON/);
  });

  it('says unknown past the readable runs', () => {
    expect(() => new Registry(runsDir).resolve('latest~2')).toThrow(UsageError);
  });
});

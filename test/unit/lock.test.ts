import { mkdtempSync, rmSync, utimesSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withFileLock } from '../../src/supervisor/pm2/lock.js';

describe('withFileLock', () => {
  let dir: string;
  let lock: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'rl-run-lock-'));
    lock = path.join(dir, 'connect.lock');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the action holding the lock, then releases it and leaves nothing behind', async () => {
    const seen = await withFileLock(lock, 1000, async () => existsSync(lock));
    expect(seen).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('serialises holders', async () => {
    const order: string[] = [];
    const hold = (name: string) =>
      withFileLock(lock, 5000, async () => {
        order.push(`${name} in`);
        await new Promise((resolve) => setTimeout(resolve, 30));
        order.push(`${name} out`);
      });
    await Promise.all([hold('a'), hold('b'), hold('c')]);
    for (let i = 0; i < order.length; i += 2) expect(order[i + 1]).toBe(order[i]!.replace('in', 'out'));
  });

  it.each([
    ['a dead holder', '999999999 123', 0],
    ['an empty lock left by a writer killed before writing it', '', 5],
  ])('takes over %s', async (_what, content, ageSeconds) => {
    writeFileSync(lock, content);
    const old = new Date(Date.now() - ageSeconds * 1000);
    utimesSync(lock, old, old);
    await expect(withFileLock(lock, 3000, async () => 'got it')).resolves.toBe('got it');
  });

  it('waits for a live holder, and says so when it gives up', async () => {
    writeFileSync(lock, `${process.pid}`);
    await expect(withFileLock(lock, 300, async () => 'never')).rejects.toThrow(/timed out after 300 ms waiting for the lock/);
  });
});

import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkEntryName, checkRemovable, removeTree } from '../../src/registry/safety.js';
import { hashTree } from './tree.js';
import { findInTrash, listTrash, moveToTrash, purgeFromTrash, restoreFromTrash } from '../../src/registry/trash.js';

let root: string;
let runsDir: string;
let outside: string;
beforeEach(() => {
  root = realpathSync(mkdtempSync(path.join(tmpdir(), 'rl-run-trash-')));
  runsDir = path.join(root, 'runs');
  outside = path.join(root, 'outside');
  mkdirSync(runsDir);
  mkdirSync(outside);
  writeFileSync(path.join(outside, 'dataset.bin'), 'precious');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function makeRun(id: string): string {
  const dir = path.join(runsDir, id);
  mkdirSync(path.join(dir, 'ckpt'), { recursive: true });
  writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ id }));
  writeFileSync(path.join(dir, 'stdout.log'), 'step 1\n'.repeat(100));
  writeFileSync(path.join(dir, 'ckpt', 'model.pt'), Buffer.from([0, 1, 2, 255]));
  return dir;
}

describe('entry names', () => {
  it.each([
    ['ppo-20250101-120000-abc123', true],
    ['..', false],
    ['../etc', false],
    ['a/b', false],
    ['a..b', false],
    ['.trash', false],
    ['', false],
  ])('%s → %s', (name, ok) => {
    expect(checkEntryName(name).ok).toBe(ok);
  });
});

describe('checkRemovable', () => {
  it('accepts a plain run directory and refuses a symlink leading out', () => {
    makeRun('a-20250101-000000-aaaaaa');
    symlinkSync(outside, path.join(runsDir, 'b-20250101-000000-bbbbbb'));
    expect(checkRemovable(runsDir, runsDir, 'a-20250101-000000-aaaaaa')).toEqual({ ok: true });
    const refused = checkRemovable(runsDir, runsDir, 'b-20250101-000000-bbbbbb');
    expect(refused.ok).toBe(false);
    expect(refused.ok ? '' : refused.reason).toContain('outside the runs directory');
  });

  it('refuses a dangling symlink and a name with ..', () => {
    symlinkSync('/nonexistent/x', path.join(runsDir, 'c-20250101-000000-cccccc'));
    expect(checkRemovable(runsDir, runsDir, 'c-20250101-000000-cccccc').ok).toBe(false);
    expect(checkRemovable(runsDir, runsDir, '../outside').ok).toBe(false);
  });
});

describe('removeTree', () => {
  it('unlinks symlinks inside a tree without following them', () => {
    const dir = makeRun('a-20250101-000000-aaaaaa');
    symlinkSync(path.join(outside, 'dataset.bin'), path.join(dir, 'data-link'));
    symlinkSync(outside, path.join(dir, 'ckpt', 'dir-link'));
    removeTree(dir);
    expect(existsSync(dir)).toBe(false);
    expect(readFileSync(path.join(outside, 'dataset.bin'), 'utf8')).toBe('precious');
    expect(readdirSync(outside)).toEqual(['dataset.bin']);
  });
});

describe('trash', () => {
  it('moves a run out of the registry and restores it byte for byte', () => {
    const id = 'ppo-20250101-120000-abc123';
    const dir = makeRun(id);
    const before = hashTree(dir);
    const entry = moveToTrash(runsDir, id, 'status failed', new Date('2025-02-01T00:00:00Z'));
    expect(existsSync(dir)).toBe(false);
    expect(listTrash(runsDir)).toEqual([{ id, dir: entry.dir, deletedAt: '2025-02-01T00:00:00.000Z', reason: 'status failed' }]);
    expect(findInTrash(runsDir, 'ppo').id).toBe(id);
    expect(findInTrash(runsDir, 'ppo-2025').id).toBe(id);
    restoreFromTrash(runsDir, id);
    expect(hashTree(dir)).toBe(before);
    expect(listTrash(runsDir)).toEqual([]);
  });

  it('refuses to trash a run directory that is a symlink leading out, and leaves it alone', () => {
    symlinkSync(outside, path.join(runsDir, 'evil-20250101-000000-eeeeee'));
    expect(() => moveToTrash(runsDir, 'evil-20250101-000000-eeeeee', 'x')).toThrow(/outside the runs directory/);
    expect(lstatSync(path.join(runsDir, 'evil-20250101-000000-eeeeee')).isSymbolicLink()).toBe(true);
    expect(() => moveToTrash(runsDir, '../outside', 'x')).toThrow(/refused/);
    expect(readdirSync(outside)).toEqual(['dataset.bin']);
  });

  it('purges without following a symlink inside the run', () => {
    const id = 'ppo-20250101-120000-abc123';
    const dir = makeRun(id);
    symlinkSync(path.join(outside, 'dataset.bin'), path.join(dir, 'data'));
    moveToTrash(runsDir, id, 'x');
    purgeFromTrash(runsDir, id);
    expect(readdirSync(path.join(runsDir, '.trash'))).toEqual([]);
    expect(readFileSync(path.join(outside, 'dataset.bin'), 'utf8')).toBe('precious');
  });

  it('refuses selectors with .. or a slash', () => {
    expect(() => findInTrash(runsDir, '../x')).toThrow(/cannot restore/);
  });
});

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/sandbox.js';

/**
 * `npm pack` of a fresh clone (the tracked files, no dist/) must ship a CLI that runs: the tarball
 * is built by the prepack script. Installing it needs the registry, so the test runs the unpacked
 * package against this checkout's node_modules; `npm i -g ./rl-run-<version>.tgz` was tried by hand.
 */
describe('npm pack of a fresh clone', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rl-run-pack-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ships dist/ (built by prepack), a LICENSE, and a CLI that runs', () => {
    const clone = path.join(dir, 'clone');
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
    for (const file of files) {
      if (!existsSync(path.join(ROOT, file))) continue;
      mkdirSync(path.dirname(path.join(clone, file)), { recursive: true });
      copyFileSync(path.join(ROOT, file), path.join(clone, file));
    }
    expect(existsSync(path.join(clone, 'dist'))).toBe(false);
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(clone, 'node_modules'));
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: clone, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
    const names = (packed.files as { path: string }[]).map((f) => f.path);
    expect(names).toEqual(expect.arrayContaining(['LICENSE', 'dist/cli.js', 'dist/index.d.ts', 'dist/runner/main.js', 'examples/train.py']));
    expect(names.filter((name) => name.startsWith('test/') || name.startsWith('src/'))).toEqual([]);

    const unpacked = path.join(dir, 'unpacked');
    mkdirSync(unpacked);
    execFileSync('tar', ['xzf', path.join(dir, packed.filename), '-C', unpacked]);
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(unpacked, 'package', 'node_modules'));
    const version = execFileSync(process.execPath, [path.join(unpacked, 'package', 'dist', 'cli.js'), '--version'], { encoding: 'utf8' });
    expect(version.trim()).toBe(packed.version);
    // The bundled CLI (dist/bin/, scripts/bundle.mjs) with yargs and every command loaded, from where it was installed.
    expect(names).toEqual(expect.arrayContaining(['dist/bin/cli.js', 'dist/index.js']));
    const help = execFileSync(process.execPath, [path.join(unpacked, 'package', 'dist', 'cli.js'), '--help'], { encoding: 'utf8' });
    expect(help).toMatch(/rl-run compare/);
  }, 180_000);
});

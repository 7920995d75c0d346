import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliCommand } from '../../src/format/invocation.js';

describe('cliCommand: the hints name the CLI the way the user can type it again', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rl-run-invocation-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const project = path.join(dir, 'project');
  const script = path.join(project, 'dist', 'cli.js');
  mkdirSync(path.dirname(script), { recursive: true });
  writeFileSync(script, '');
  const linked = path.join(dir, 'bin-linked');
  mkdirSync(linked);
  symlinkSync(script, path.join(linked, 'rl-run'));
  const other = path.join(dir, 'bin-other');
  mkdirSync(other);
  writeFileSync(path.join(other, 'rl-run'), '#!/bin/sh\n');
  chmodSync(path.join(other, 'rl-run'), 0o755);
  const empty = path.join(dir, 'bin-empty');
  mkdirSync(empty);

  it.each([
    ['rl-run on PATH is this CLI (npm link, npm i -g)', [empty, linked], project, 'rl-run'],
    ['no rl-run on PATH, run from the clone (npm run demo)', [empty], project, 'node dist/cli.js'],
    ['no rl-run on PATH, run from elsewhere', [empty], dir, 'node project/dist/cli.js'],
    ['no rl-run on PATH, run from outside the clone', [empty], empty, `node ${script}`],
    ['another rl-run comes first on PATH', [other, linked], project, 'node dist/cli.js'],
  ])('%s → %s', (_what, pathDirs, cwd, expected) => {
    expect(cliCommand(script, { PATH: pathDirs.join(path.delimiter) }, cwd)).toBe(expected);
  });
});

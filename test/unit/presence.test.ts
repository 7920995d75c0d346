import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SEARCH_PLACES } from '../../src/config/load.js';
import { mayHaveConfig } from '../../src/config/presence.js';

describe('mayHaveConfig', () => {
  let root: string;
  let deep: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'rl-run-presence-'));
    deep = path.join(root, 'a', 'b');
    mkdirSync(deep, { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const project = (cwd: string) => mayHaveConfig(cwd, SEARCH_PLACES, 'rl-run', true);

  it.each([
    [[], false],
    [['runs.config.ts'], true],
    [['a/.rl-runrc'], true],
    [['a/b/runs.config.json'], true],
  ])('with %j → %s', (files, expected) => {
    for (const file of files) writeFileSync(path.join(root, file), '{}');
    expect(project(deep)).toBe(expected);
  });

  it('reads package.json for an rl-run key, and stops at it in a project search', () => {
    writeFileSync(path.join(root, 'runs.config.ts'), 'export default {}');
    writeFileSync(path.join(root, 'a', 'package.json'), '{"name":"x"}');
    expect(project(deep)).toBe(false);
    writeFileSync(path.join(root, 'a', 'package.json'), '{"name":"x","rl-run":{}}');
    expect(project(deep)).toBe(true);
  });

  it('sends a broken package.json to cosmiconfig to report', () => {
    writeFileSync(path.join(deep, 'package.json'), '{ broken');
    expect(project(deep)).toBe(true);
  });
});

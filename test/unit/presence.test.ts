import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SEARCH_PLACES } from '../../src/config/load.js';
import { configFileProblem, findConfigCandidates } from '../../src/config/presence.js';

/** uid of `nobody`: another user, for files a stranger owns. */
const NOBODY = 65534;

describe('findConfigCandidates', () => {
  let root: string;
  let deep: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'rl-run-presence-'));
    deep = path.join(root, 'a', 'b');
    mkdirSync(deep, { recursive: true });
    chmodSync(path.join(root, 'a'), 0o755);
    chmodSync(deep, 0o755);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const project = (cwd: string) => findConfigCandidates(cwd, SEARCH_PLACES, 'rl-run', true);

  it.each([
    [[], []],
    [['runs.config.ts'], ['runs.config.ts']],
    [['a/.rl-runrc'], ['a/.rl-runrc']],
    [['a/b/runs.config.json', 'runs.config.ts'], ['a/b/runs.config.json', 'runs.config.ts']],
  ])('with %j → %j', (files, expected) => {
    for (const file of files) writeFileSync(path.join(root, file), '{}');
    expect(project(deep).candidates).toEqual(expected.map((file) => path.join(root, file)));
  });

  it('reads package.json for an rl-run key, and stops at it in a project search', () => {
    writeFileSync(path.join(root, 'runs.config.ts'), 'export default {}');
    writeFileSync(path.join(root, 'a', 'package.json'), '{"name":"x"}');
    expect(project(deep).candidates).toEqual([]);
    writeFileSync(path.join(root, 'a', 'package.json'), '{"name":"x","rl-run":{}}');
    expect(project(deep).candidates).toEqual([path.join(root, 'a', 'package.json')]);
  });

  it('sends a broken package.json to cosmiconfig to report', () => {
    writeFileSync(path.join(deep, 'package.json'), '{ broken');
    expect(project(deep).candidates).toEqual([path.join(deep, 'package.json')]);
  });

  it.each([
    ['writable by every user, sticky like /tmp', 0o1777, 0, /is writable by every user \(mode 1777\)/],
    ['writable by its group', 0o775, 0, /is writable by its group/],
    ['owned by another user', 0o755, NOBODY, /is owned by another user \(uid 65534\)/],
  ])('stops at a folder %s: a config there or above is not a candidate', (_what, mode, owner, reason) => {
    const shared = path.join(root, 'a');
    writeFileSync(path.join(root, 'runs.config.ts'), 'export default {}');
    writeFileSync(path.join(shared, 'runs.config.ts'), 'export default {}');
    chmodSync(shared, mode);
    chownSync(shared, owner, owner);
    const search = project(deep);
    expect(search.candidates).toEqual([]);
    expect(search.stoppedAt).toMatchObject({ dir: shared, reason: expect.stringMatching(reason), ignored: [path.join(shared, 'runs.config.ts')] });
  });

  it.each([
    ['the user', 0o644, undefined, null],
    ['root, read-only for others', 0o644, 0, null],
    ['another user', 0o644, NOBODY, /owned by another user/],
    ['the user, writable by others', 0o666, undefined, /writable by every user/],
    ['the user, writable by its group', 0o664, undefined, /writable by its group/],
  ])('a config file owned by %s (mode %s) → %s', (_who, mode, owner, expected) => {
    const file = path.join(deep, 'runs.config.ts');
    writeFileSync(file, 'export default {}');
    chmodSync(file, mode);
    if (owner !== undefined) chownSync(file, owner, owner);
    const problem = configFileProblem(file);
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toMatch(expected);
  });
});

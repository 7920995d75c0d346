import { accessSync, constants, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/sandbox.js';

/** A clone has no ../shared: what CI, the tests and the demo use must live in the project. */
describe('the project stands alone', () => {
  const files = ['.ci/run', 'package.json', ...walk('test'), ...walk('examples'), ...walk('src')];
  const text = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

  it('nothing points outside the project at ../shared', () => {
    expect(files.filter((file) => text(file).includes('../shared/')).filter((file) => file !== 'test/unit/standalone.test.ts')).toEqual([]);
  });

  it('every tools/ script that is named exists and is executable', () => {
    const named = new Set(files.flatMap((file) => [...text(file).matchAll(/\btools\/([\w.-]+\.sh)\b/g)].map((m) => m[1]!)));
    expect([...named]).toContain('slurm-single-node.sh');
    for (const script of named) accessSync(path.join(ROOT, 'tools', script), constants.X_OK);
  });
});

function walk(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|mjs|js|py|sh)$/.test(entry.name) && !entry.parentPath.includes('fixtures'))
    .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)));
}

import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/sandbox.js';

/**
 * The suite's output is vitest's report and nothing else: a child process whose stderr is inherited
 * printed stray lines between the results (`bench: ls … ` and a bare `10 s` from the bench harness).
 * A test keeps a child's output and shows it in its failure message instead.
 */
describe('the test suite prints no stray lines', () => {
  it('no test file hands a child process the run’s own stdout or stderr', () => {
    const tests = readdirSync(path.join(ROOT, 'test'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.test.ts'));
    const inheriting = tests.filter((file) => /['"]inherit['"]/.test(readFileSync(path.join(ROOT, 'test', file), 'utf8')));
    expect(inheriting).toEqual([]);
  });
});

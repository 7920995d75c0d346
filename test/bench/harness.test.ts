import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/sandbox.js';

/**
 * Proves the bench harness runs (the quick mode of its ls suite) and writes its table. Timing
 * figures are not asserted: they belong to `npm run bench`, not to a test on a busy CI machine.
 */
describe('npm run bench, quick mode', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rl-run-bench-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('measures ls, and checks it against hand-edited registries', async () => {
    const results = path.join(dir, 'RESULTS.md');
    // The harness's progress lines (`bench: ls … 10 s`) go to its stderr: kept, and shown only on failure.
    let progress = '';
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'bench', 'run.mjs')], {
        cwd: ROOT,
        env: { ...process.env, BENCH_QUICK: '1', BENCH_ONLY: 'ls', BENCH_NO_BUILD: '1', BENCH_RESULTS: results },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.stderr.on('data', (chunk: Buffer) => {
        progress += chunk.toString();
      });
      child.on('error', reject);
      child.on('close', resolve);
    });
    expect(code, progress).toBe(0);
    const text = readFileSync(results, 'utf8');
    expect(text).toContain('| benchmark | rl-run | baseline | ratio | target | met? |');
    expect(text).toMatch(/`ls` correct after run dirs removed, edited, truncated by hand \| 4\/4 checks/);
  }, 30_000);
});

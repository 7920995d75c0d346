import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetricSeries } from '../../src/metrics/series.js';
import { StdoutExtractor } from '../../src/metrics/stdout-extractor.js';
import { readLaterPart } from '../../src/metrics/stdout-parts.js';
import { readStdoutLogInParts } from '../../src/metrics/stdout-reader.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/metrics');

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function logFile(content: string): string {
  dir = mkdtempSync(path.join(tmpdir(), 'rl-run-parts-'));
  const file = path.join(dir, 'stdout.log');
  writeFileSync(file, content);
  return file;
}

function onePass(file: string, maxPoints?: number): MetricSeries[] {
  const extractor = new StdoutExtractor(file, [], maxPoints);
  extractor.bytes(readFileSync(file));
  return extractor.finish();
}

/** Every place the reader may cut a log: after a line with no `|` (so no table is open across it). */
function cuts(content: Buffer): number[] {
  const found: number[] = [];
  let lineStart = 0;
  for (let newline = content.indexOf(10); newline >= 0; newline = content.indexOf(10, lineStart)) {
    if (!content.subarray(lineStart, newline).includes(0x7c) && newline + 1 < content.length) found.push(newline + 1);
    lineStart = newline + 1;
  }
  return found;
}

const MIXED = [
  'SPS: 100',
  'global_step=2048, episodic_return=1.5',
  '---------------------------------',
  '| rollout/           |          |',
  '|    ep_rew_mean     | 12       |',
  '| time/              |          |',
  '|    total_timesteps | 4096     |',
  '---------------------------------',
  'SPS: 200',
  '\rit 1 loss=9\rit 2 loss=7',
  'loss=5',
  '| sec/ |  |',
  '---',
  'a plain line',
  '|    kept    | 1 |',
  'SPS: 300 loss=4',
  '',
].join('\n');

describe('a log read in two parts gives what one pass gives', () => {
  it('at every cut of a log with tables, counted steps, redraws and a section that carries over a cut', async () => {
    const file = logFile(MIXED);
    const expected = onePass(file);
    expect(expected.map((s) => s.name)).toContain('sec/kept');
    for (const split of cuts(readFileSync(file))) {
      expect(await readStdoutLogInParts(file, [], undefined, split, readLaterPart), `cut at ${split}`).toEqual(expected);
    }
  });

  it('at every cut of a log with tracebacks, Episode lines and a name logged with and without a step', async () => {
    const written = ['actor_critic_stdout.log', 'actor_critic_interrupt_stderr.log', 'eval_stdout.log'].map((name) => readFileSync(path.join(FIXTURES, 'written', name), 'utf8'));
    const lines = ['loss=9', 'loss=8', 'acc=1', ...written, 'step=5 loss=3', 'loss=7'].join('\n');
    const file = logFile(`${lines}\n`);
    const expected = onePass(file);
    expect(expected.map((s) => s.name)).toEqual(expect.arrayContaining(['Average_reward', 'loss', 'loss/no_step', 'reward/no_step']));
    expect(expected.map((s) => s.name)).not.toContain('dim');
    for (const split of cuts(readFileSync(file))) {
      expect(await readStdoutLogInParts(file, [], undefined, split, readLaterPart), `cut at ${split}`).toEqual(expected);
    }
  });

  it.each(['run_dirs/sb3_slurm_robotaxi/2025-12-06_21-21-02/train.out', 'console_logs/verl_grpo_nohup_train.out', 'console_logs/maniskill_cleanrl_ppo_nohup.log'])(
    '%s, cut in ten places',
    async (relative) => {
      const file = path.join(FIXTURES, relative);
      const expected = onePass(file);
      const all = cuts(readFileSync(file));
      for (let i = 1; i <= 10; i++) {
        const split = all[Math.floor((all.length * i) / 11)]!;
        expect(await readStdoutLogInParts(file, [], undefined, split, readLaterPart), `cut at ${split}`).toEqual(expected);
      }
    },
  );

  it('through a real worker thread (the built files), as the CLI reads a large log', async () => {
    // The worker runs dist/metrics/stdout-worker.js, which the test setup builds.
    const built: typeof import('../../src/metrics/stdout-reader.js') = await import(path.resolve(import.meta.dirname, '../../dist/metrics/stdout-reader.js'));
    const file = logFile(MIXED.repeat(50));
    const expected = onePass(file);
    const all = cuts(readFileSync(file));
    for (const split of [all[3]!, all[Math.floor(all.length / 2)]!]) {
      expect(await built.readStdoutLogInParts(file, [], undefined, split, built.readLaterPartInWorker)).toEqual(expected);
    }
  });

  it('thinned series keep exact summaries, the last point, and their point budget', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => (i % 3 === 0 ? `loss=${i}` : `step=${i * 10} loss=${i} reward=${-i}`));
    const file = logFile(`${lines.join('\n')}\n`);
    const expected = onePass(file, 64);
    const parts = await readStdoutLogInParts(file, [], 64, cuts(readFileSync(file))[2345]!, readLaterPart);
    expect(parts.map((s) => [s.name, s.summary, s.thinned, s.points.at(-1)])).toEqual(expected.map((s) => [s.name, s.summary, s.thinned, s.points.at(-1)]));
    for (const s of parts) expect(s.points.length).toBeLessThanOrEqual(65);
  });
});

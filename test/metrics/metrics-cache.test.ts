import { appendFile, lstat, mkdtemp, open, readFile, rename, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { layoutOfDir } from '../../src/registry/run-dir/index.js';
import { readRunMetrics, type ReadRunOptions, SUMMARIES_ONLY } from '../../src/metrics/read-run.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/metrics');

let dir: string;
let stdout: string;
let cacheFile: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rl-run-cache-'));
  stdout = path.join(dir, 'stdout.log');
  cacheFile = layoutOfDir(dir).metricsCache;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cached = (options: ReadRunOptions = {}) => readRunMetrics(dir, stdout, { ...options, cacheFile });
const fresh = (options: ReadRunOptions = {}) => readRunMetrics(dir, stdout, options);

/** A log in `pieces` pieces cut at arbitrary bytes (mid-line, mid-table, mid-traceback). */
function pieces(text: string, count: number): string[] {
  const size = Math.ceil(text.length / count);
  return Array.from({ length: count }, (_, i) => text.slice(i * size, (i + 1) * size));
}

describe('the incremental metrics cache', () => {
  it.each([
    ['an SB3 run (tables, eval lines)', ['run_dirs/sb3_slurm_robotaxi/2025-12-06_21-21-02/train.out'], 37],
    ['verl (Ray prefixes, tqdm, a traceback)', ['console_logs/verl_grpo_nohup_train.out'], 23],
    ['reinforce, actor_critic with its traceback, an eval line', ['written/reinforce_stdout.log', 'written/actor_critic_stdout.log', 'written/actor_critic_interrupt_stderr.log', 'written/eval_stdout.log'], 29],
  ])('%s: reading after every append gives what a fresh read gives', async (_, files, count) => {
    const text = (await Promise.all(files.map((f) => readFile(path.join(FIXTURES, f), 'utf8')))).join('');
    await writeFile(stdout, '');
    for (const piece of pieces(text, count)) {
      await appendFile(stdout, piece);
      expect(await cached()).toEqual(await fresh());
    }
    expect((await lstat(cacheFile)).isFile()).toBe(true);
  });

  it('thinned series too: the same kept points as one pass', async () => {
    const lines = Array.from({ length: 6000 }, (_, i) => (i % 7 === 0 ? `loss=${i}` : `step=${i * 10} loss=${i} reward=${-i}`));
    await writeFile(stdout, '');
    for (const piece of pieces(`${lines.join('\n')}\n`, 13)) {
      await appendFile(stdout, piece);
      expect(await cached({ maxPoints: 64 })).toEqual(await fresh({ maxPoints: 64 }));
    }
    expect((await fresh({ maxPoints: 64 })).series.get('loss')!.thinned).toBe(true);
  });

  it('parses only what was appended; a rewrite (mtime), a truncation or a new file is read afresh', async () => {
    const early = 'step=1 reward=10\n';
    const filler = Array.from({ length: 20 }, (_, i) => `step=${i + 2} loss=${i}\n`).join('');
    await writeFile(stdout, early + filler);
    // A whole second, which utimes can set back exactly.
    const mtime = Math.floor(Date.now() / 1000) - 60;
    await utimes(stdout, mtime, mtime);
    expect((await cached()).series.get('reward')!.summary.last).toBe(10);
    // Change the first line in place, keeping size and mtime: a cached read does not see it ...
    const handle = await open(stdout, 'r+');
    await handle.write('step=1 reward=99\n', 0);
    await handle.close();
    await utimes(stdout, mtime, mtime);
    expect((await cached()).series.get('reward')!.summary.last).toBe(10);
    // ... nor after an append, which alone is parsed ...
    await appendFile(stdout, 'step=30 loss=1\n');
    expect((await cached()).series.get('reward')!.summary.last).toBe(10);
    expect((await cached()).series.get('loss')!.summary.count).toBe(21);
    // ... while a fresh read does: the cache really skipped those bytes.
    expect((await fresh()).series.get('reward')!.summary.last).toBe(99);
    // Rewritten in place to the same size (a new mtime): read afresh.
    await rm(cacheFile);
    await writeFile(stdout, early + filler);
    await utimes(stdout, mtime, mtime);
    expect((await cached()).series.get('reward')!.summary.last).toBe(10);
    await writeFile(stdout, 'step=1 reward=99\n' + filler);
    await utimes(stdout, mtime + 10, mtime + 10);
    expect((await cached()).series.get('reward')!.summary.last).toBe(99);
    // Shorter: read afresh.
    await writeFile(stdout, 'step=1 reward=7\n');
    expect(await cached()).toEqual(await fresh());
    // Another file (inode) of the same size and content but for one early byte.
    await cached();
    const other = path.join(dir, 'other.log');
    await writeFile(other, 'step=1 reward=8\n');
    await rename(other, stdout);
    expect((await cached()).series.get('reward')!.summary.last).toBe(8);
  });

  it('a log large enough to be read in two threads: the first read is the fresh one, later ones keep exact summaries', async () => {
    const sb3 = await readFile(path.join(FIXTURES, 'run_dirs/sb3_slurm_robotaxi/2025-12-06_21-21-02/train.out'), 'utf8');
    await writeFile(stdout, sb3.repeat(Math.ceil((66 * 1024 * 1024) / sb3.length)));
    expect(await cached()).toEqual(await fresh());
    await appendFile(stdout, sb3.slice(0, 200_000));
    const again = await cached();
    const summaries = (read: typeof again) => [...read.series.values()].map((s) => [s.name, s.summary, s.points.at(-1), s.points.length <= 20_001]);
    expect(summaries(again)).toEqual(summaries(await fresh()));
    // Unchanged since: the same answer, from the cache.
    expect(await cached()).toEqual(again);
  });

  it('a changed metrics pattern or point budget reads afresh', async () => {
    await writeFile(stdout, 'win rate 55%\nstep=1 loss=2\n');
    await cached();
    const patterns = [String.raw`win rate (?<win_rate>\d+)%`];
    expect(await cached({ patterns })).toEqual(await fresh({ patterns }));
    expect((await cached({ patterns })).series.get('win_rate')).toBeDefined();
  });

  it('a cache file that is a symlink is not followed: its target stays as it was', async () => {
    const outside = path.join(dir, 'outside.txt');
    await writeFile(outside, 'not yours');
    await symlink(outside, cacheFile);
    await writeFile(stdout, 'step=1 loss=2\nstep=2 loss=1\n');
    expect(await cached()).toEqual(await fresh());
    expect(await readFile(outside, 'utf8')).toBe('not yours');
    expect((await lstat(cacheFile)).isFile()).toBe(true);
  });
});

describe('summaries only (compare without a chart) beside points (a chart)', () => {
  it('each point budget keeps a state of its own in the cache, each equal to a fresh read', async () => {
    const early = 'step=1 reward=10\n';
    const filler = Array.from({ length: 50 }, (_, i) => `step=${i + 2} loss=${i}\n`).join('');
    await writeFile(stdout, early + filler);
    const mtime = Math.floor(Date.now() / 1000) - 60;
    await utimes(stdout, mtime, mtime);
    const summaries = { maxPoints: SUMMARIES_ONLY };
    expect(await cached(summaries)).toEqual(await fresh(summaries));
    expect(await cached()).toEqual(await fresh());
    const only = (await cached(summaries)).series.get('loss')!;
    expect(only.summary).toEqual((await fresh()).series.get('loss')!.summary);
    expect(only.points.length).toBeLessThanOrEqual(2);
    // Change the first line in place, keeping size and mtime: both reads come from their cached state.
    const handle = await open(stdout, 'r+');
    await handle.write('step=1 reward=99\n', 0);
    await handle.close();
    await utimes(stdout, mtime, mtime);
    expect((await cached(summaries)).series.get('reward')!.summary.last).toBe(10);
    expect((await cached()).series.get('reward')!.summary.last).toBe(10);
    expect((await fresh()).series.get('reward')!.summary.last).toBe(99);
  });
});

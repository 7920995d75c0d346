import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskedCrc32c } from '../../src/metrics/crc32c.js';
import { collectOutput } from '../support/processes.mjs';
import { CLI, type Sandbox, createSandbox, startRun, waitFor } from '../helpers/sandbox.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/metrics');
const REPLAY = path.resolve(import.meta.dirname, '../support/replay_log.py');
const MAX_RSS = path.resolve(import.meta.dirname, '../support/max-rss.mjs');
const EVENTS = path.join(FIXTURES, 'tfevents/sb3_acrobot_PPO_2/events.out.tfevents.1748622197.kangs-MacBook-Pro-6.local.57033.0');
const MB = 1024 * 1024;
const LIMIT_MB = 200;

/** Writes `head`, then `repeat` `count` times, then `tail`, streaming (the big part never sits in memory). */
async function writeBig(file: string, head: string | Buffer, repeat: Buffer, count: number, tail: string | Buffer): Promise<void> {
  const out = createWriteStream(file);
  out.write(head);
  for (let i = 0; i < count; i++) if (!out.write(repeat)) await once(out, 'drain');
  out.end(tail);
  await once(out, 'finish');
}

/** Bad inputs created for real in a run's directory; `rl-run metrics` must answer in under 200 MB. */
describe('rl-run metrics is bounded on any input', () => {
  let sandbox: Sandbox;
  let run: { id: string; dir: string };

  beforeAll(async () => {
    sandbox = createSandbox();
    const stdout = sandbox.write('small.log', 'step=1 reward=5\n');
    run = await startRun(sandbox, [REPLAY, '--', '--stdout', stdout]);
    await waitFor(`${run.id} to end`, () => sandbox.record(run.id).status.state === 'succeeded');
  });
  afterAll(() => sandbox.cleanup());

  /** `rl-run metrics <run> --json`, with its peak RSS in MB. */
  async function metrics(): Promise<{ code: number | null; json: any; stderr: string; peakMb: number }> {
    const rssFile = path.join(sandbox.dir, 'max-rss');
    const child = spawn(process.execPath, ['--import', MAX_RSS, CLI, 'metrics', run.id, '--json'], {
      cwd: sandbox.dir,
      env: { ...sandbox.env, RL_RUN_TEST_MAX_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { code, stdout, stderr } = await collectOutput(child);
    const peakMb = Number(await readFile(rssFile, 'utf8')) / 1024;
    return { code, json: code === 0 ? JSON.parse(stdout) : undefined, stderr, peakMb };
  }

  const names = (json: any) => json.metrics.map((m: { name: string }) => m.name);

  it('a 300 MB line without a newline is skipped with a warning; the lines around it count', async () => {
    await writeBig(path.join(run.dir, 'stdout.log'), 'step=1 reward=5\n', Buffer.alloc(MB, 'x'), 300, '\nstep=2 reward=6\n');
    const result = await metrics();
    expect(result.code).toBe(0);
    expect(result.json.metrics).toMatchObject([{ name: 'reward', count: 2, last: 6, lastStep: 2 }]);
    expect(result.stderr).toMatch(/stdout\.log \(byte 16\): line longer than 16 MiB skipped/);
    expect(result.peakMb).toBeLessThan(LIMIT_MB);
  });

  it('a 205 MB progress bar redrawn with \\r: its last state counts', async () => {
    const frame = Buffer.from('\rtrain  45%|####      | 450/1000 [00:01<00:02] loss=0.5000');
    const frames = Buffer.concat(Array.from({ length: Math.ceil(MB / frame.length) }, () => frame));
    await writeBig(path.join(run.dir, 'stdout.log'), 'step=1 loss=0.9\nstep=2 loss=0.8\n', frames, 205, '\rtrain 100%|##########| 1000/1000 loss=0.25\n');
    const result = await metrics();
    expect(result.code).toBe(0);
    expect(result.json.metrics).toMatchObject([{ name: 'loss', count: 2 }]);
    expect(result.json.constants).toMatchObject([{ name: 'loss/no_step', last: 0.25 }]);
    expect(result.peakMb).toBeLessThan(LIMIT_MB);
  });

  it('a 300 MB TensorBoard record, a record claiming 1 TiB and a JSON line nested 10,000 deep', async () => {
    await writeFile(path.join(run.dir, 'stdout.log'), 'step=1 reward=5\nstep=2 reward=6\n');
    const events = await readFile(EVENTS);
    const header = (length: bigint) => {
      const bytes = Buffer.alloc(12);
      bytes.writeBigUInt64LE(length, 0);
      bytes.writeUInt32LE(maskedCrc32c(bytes.subarray(0, 8)), 8);
      return bytes;
    };
    await mkdir(path.join(run.dir, 'big'));
    await writeBig(path.join(run.dir, 'big/events.out.tfevents.1.host'), header(300n * BigInt(MB)), Buffer.alloc(MB), 300, Buffer.concat([Buffer.alloc(4), events]));
    await mkdir(path.join(run.dir, 'claim'));
    await writeFile(path.join(run.dir, 'claim/events.out.tfevents.1.host'), Buffer.concat([header(1n << 40n), Buffer.alloc(64)]));
    const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    await writeFile(path.join(run.dir, 'metrics.jsonl'), `{"step": 1, "loss": 0.5}\n{"step": 2, "loss": 0.4, "deep": ${deep}}\n{"step": 3, "loss": 0.3}\n`);
    const result = await metrics();
    expect(result.code).toBe(0);
    expect(names(result.json)).toEqual(expect.arrayContaining(['loss', 'train/loss', 'reward']));
    expect(result.json.metrics.find((m: { name: string }) => m.name === 'loss')).toMatchObject({ count: 3, last: 0.3 });
    expect(result.stderr).toMatch(/big\/events\.out\.tfevents\.1\.host \(byte 0\): record of 300 MB skipped/);
    expect(result.stderr).toMatch(/claim\/events\.out\.tfevents\.1\.host \(byte 0\): record claims 1048576 MB but the file has 76 bytes left/);
    expect(result.stderr).toMatch(/metrics\.jsonl:2: values nested deeper than 32 levels skipped/);
    expect(result.peakMb).toBeLessThan(LIMIT_MB);
    await rm(path.join(run.dir, 'big'), { recursive: true });
  });
});

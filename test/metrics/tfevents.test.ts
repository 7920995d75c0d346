import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { crc32c, maskedCrc32c } from '../../src/metrics/crc32c.js';
import { readCsvFile } from '../../src/metrics/file-readers.js';
import type { MetricSeries } from '../../src/metrics/series.js';
import { readStdoutLog } from '../../src/metrics/stdout-reader.js';
import { readEventFiles } from '../../src/metrics/tfevents-reader.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/metrics');
const fixture = (relative: string) => path.join(FIXTURES, relative);
const byName = (series: MetricSeries[]) => new Map(series.map((s) => [s.name, s]));

describe('crc32c', () => {
  it.each<[string, number]>([
    ['', 0],
    ['123456789', 0xe3069283], // the CRC-32C check value
    ['a', 0xc1d04330],
  ])('crc32c(%j)', (text, expected) => {
    expect(crc32c(Buffer.from(text))).toBe(expected);
  });

  it('masks as TFRecord does', () => {
    const crc = crc32c(Buffer.from('123456789'));
    expect(maskedCrc32c(Buffer.from('123456789'))).toBe(((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0);
  });
});

describe('TensorBoard event files', () => {
  let temp: string | undefined;
  afterEach(async () => {
    if (temp) await rm(temp, { recursive: true, force: true });
    temp = undefined;
  });

  it('baselines TF1 scalars equal the progress.csv of the same run, as float32', async () => {
    const events = byName((await readEventFiles([fixture('tfevents/baselines_ppo2_humanoidstandup/events.out.tfevents.1557579190.billy')])).series);
    const csv = byName((await readCsvFile(fixture('baselines_progress/humanoidstandup_ppo2_progress.csv'))).series);
    const fromEvents = events.get('eprewmean')!.points;
    const fromCsv = csv.get('eprewmean')!.points;
    expect(fromEvents).toHaveLength(518);
    // baselines logs to TensorBoard with step = nupdates, so row i is step i + 1.
    fromEvents.forEach((p, i) => {
      expect(p.step).toBe(i + 1);
      expect(p.value).toBe(Math.fround(fromCsv[i]!.value));
    });
  });

  it('SB3 torch event file agrees with the console tables of the same run (3 printed digits)', async () => {
    const dir = 'run_dirs/sb3_slurm_robotaxi/2025-12-06_21-21-02';
    const events = byName((await readEventFiles([fixture(`${dir}/tensorboard/PPO_1/events.out.tfevents.1765074078.c0325.ten.osc.edu.1738093.0`)])).series);
    const stdout = byName(await readStdoutLog(fixture(`${dir}/train.out`)));
    const fromEvents = events.get('rollout/ep_rew_mean')!.points;
    const printed = stdout.get('rollout/ep_rew_mean')!.points;
    expect(fromEvents.map((p) => p.step)).toEqual(printed.map((p) => p.step));
    for (const [i, p] of fromEvents.entries()) expect(Number(p.value.toPrecision(3))).toBe(printed[i]!.value);
  });

  it('TF2 .v2 rank-0 tensors equal the metrics.jsonl written next to them', async () => {
    const dir = 'run_dirs/dreamerv2_tf2/fetch-reach-v1/dreamer/2';
    const events = byName((await readEventFiles([fixture(`${dir}/events.out.tfevents.1628105738.Turing.35797.13.v2`)])).series);
    const lines = (await readFile(fixture(`${dir}/metrics.jsonl`), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const expected = lines.filter((l) => 'train/return' in l).map((l) => ({ step: l.step, value: Math.fround(l['train/return']) }));
    expect(events.get('sim/train/return')!.points.map(({ step, value }) => ({ step, value }))).toEqual(expected);
  });

  it('a truncated last record: every record before it, and a warning with its byte offset', async () => {
    const file = fixture('tfevents/tf1_minigrid_a2c/events.out.tfevents.1539312132.zixin');
    const { series, warnings } = await readEventFiles([file]);
    expect(byName(series).get('episode_reward')!.summary.count).toBe(121);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ file, byteOffset: 424198 });
    expect(warnings[0]!.message).toMatch(/incomplete \(39 of 108 bytes/);
  });

  it('several files in one folder are merged in name order', async () => {
    const dir = fixture('tfevents/sb3_2048_PPO_0_multi');
    const files = ['0', '1', '2'].map((n) => `${dir}/events.out.tfevents.${['1709677122', '1709677136', '1709677149'][Number(n)]}.i7-10750H.9732.${n}`);
    const merged = byName((await readEventFiles(files)).series);
    const single = byName((await readEventFiles([files[0]!])).series);
    const name = [...single.keys()][0]!;
    expect(merged.get(name)!.summary.count).toBeGreaterThan(single.get(name)!.summary.count);
  });

  it('header-only files, text summaries and spaced tags', async () => {
    expect((await readEventFiles([fixture('tfevents/sb3_acrobot_empty/events.out.tfevents.1745560652.kangs-MacBook-Pro.local.86768.0')])).series).toEqual([]);
    const mlagents = byName((await readEventFiles([fixture('tfevents/mlagents_movetogoal/events.out.tfevents.1669169806.PerfectionV1.43592.0')])).series);
    expect(mlagents.get('Environment/Cumulative_Reward')!.points.map((p) => p.step)).toEqual([50000, 100000, 150000]);
    expect([...mlagents.keys()].some((k) => k.includes('Hyperparameters'))).toBe(false);
  });

  it('a corrupted record is skipped with a warning; the others still count', async () => {
    temp = await mkdtemp(path.join(tmpdir(), 'rl-run-tf-'));
    const file = path.join(temp, 'events.out.tfevents.1');
    await copyFile(fixture('tfevents/sb3_acrobot_PPO_2/events.out.tfevents.1748622197.kangs-MacBook-Pro-6.local.57033.0'), file);
    const bytes = await readFile(file);
    const before = (await readEventFiles([file])).series;
    bytes[bytes.length - 10]! ^= 0xff; // inside the data of the last record
    await writeFile(file, bytes);
    const { series, warnings } = await readEventFiles([file]);
    expect(warnings[0]!.message).toMatch(/data checksum/);
    const total = (s: MetricSeries[]) => s.reduce((n, x) => n + x.summary.count, 0);
    expect(total(series)).toBe(total(before) - 1);
  });
});

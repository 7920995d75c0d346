import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { maskedCrc32c } from '../../src/metrics/crc32c.js';
import { readJsonlFile } from '../../src/metrics/file-readers.js';
import { forEachCompleteBlock } from '../../src/metrics/line-reader.js';
import { StdoutExtractor } from '../../src/metrics/stdout-extractor.js';
import { MAX_RECORD_BYTES, readEventFiles } from '../../src/metrics/tfevents-reader.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/metrics');
const EVENTS = path.join(FIXTURES, 'tfevents/sb3_acrobot_PPO_2/events.out.tfevents.1748622197.kangs-MacBook-Pro-6.local.57033.0');

let temp: string;
beforeEach(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'rl-run-bounded-'));
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

async function blocksOf(content: string, options: Parameters<typeof forEachCompleteBlock>[2], blockBytes: number): Promise<{ text: string; largest: number }> {
  const file = path.join(temp, 'stdout.log');
  await writeFile(file, content);
  let text = '';
  let largest = 0;
  await forEachCompleteBlock(file, (buf, end) => {
    text += buf.toString('utf8', 0, end);
    largest = Math.max(largest, buf.length);
  }, options, blockBytes);
  return { text, largest };
}

describe('line length is bounded', () => {
  it('a line longer than the limit is skipped to its newline and reported at its offset', async () => {
    const long = `x=${'1'.repeat(500)}`;
    const skipped: number[] = [];
    const { text, largest } = await blocksOf(`a=1\n${long}\nb=2\n${long}`, { maxLineBytes: 64, onLongLine: (at) => skipped.push(at) }, 16);
    expect(text).toBe('a=1\nb=2\n');
    // The unfinished last line is a live run's: not skipped, not reported, just not read yet.
    expect(skipped).toEqual([4]);
    expect(largest).toBeLessThanOrEqual(64);
  });

  it('a progress bar redrawn with \\r keeps only its last state, in bounded memory, as a full read would', async () => {
    const bar = Array.from({ length: 2000 }, (_, i) => `\r${i} it loss=${i}`).join('');
    const content = `step=1 loss=9\n${bar}\r\nstep=2 loss=8\n${bar}\n`;
    const { text, largest } = await blocksOf(content, { redraws: true, maxLineBytes: 256 }, 64);
    expect(largest).toBeLessThanOrEqual(256);
    const bounded = new StdoutExtractor('log');
    bounded.chunk(text);
    const whole = new StdoutExtractor('log');
    whole.chunk(content);
    expect(bounded.finish()).toEqual(whole.finish());
  });
});

describe('JSON lines nested deeper than any metric', () => {
  it('a line nested 10,000 deep loses only its deep part, not the file', async () => {
    const deep = `{"step": 3, "loss": 0.5, "x": ${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
    const file = path.join(temp, 'metrics.jsonl');
    await writeFile(file, `{"step": 1, "loss": 0.7}\n${deep}\n{"step": 5, "loss": 0.25}\n`);
    const { series, warnings } = await readJsonlFile(file);
    expect(series.map((s) => [s.name, s.points.map((p) => [p.step, p.value])])).toEqual([['loss', [[1, 0.7], [3, 0.5], [5, 0.25]]]]);
    expect(warnings).toEqual([{ file, line: 2, message: 'values nested deeper than 32 levels skipped' }]);
  });
});

describe('TensorBoard records are bounded', () => {
  /** A record header: uint64 length and its masked CRC. */
  function header(length: bigint): Buffer {
    const bytes = Buffer.alloc(12);
    bytes.writeBigUInt64LE(length, 0);
    bytes.writeUInt32LE(maskedCrc32c(bytes.subarray(0, 8)), 8);
    return bytes;
  }

  it('a record claiming 1 TiB ends the file with a warning, the records before it count', async () => {
    const file = path.join(temp, 'events.out.tfevents.1.host');
    const events = await readFile(EVENTS);
    await writeFile(file, Buffer.concat([events, header(1n << 40n), Buffer.alloc(100)]));
    const { series, warnings } = await readEventFiles([file]);
    const plain = await readEventFiles([EVENTS]);
    expect(series).toEqual(plain.series.map((s) => ({ ...s, source: file })));
    expect(warnings).toEqual([{ file, byteOffset: events.length, message: `record claims 1048576 MB but the file has 112 bytes left; the rest of the file is skipped` }]);
  });

  it('a genuinely large record is skipped unread, and the scalars after it count', async () => {
    const file = path.join(temp, 'events.out.tfevents.2.host');
    await copyFile(EVENTS, file);
    const events = await readFile(EVENTS);
    const big = MAX_RECORD_BYTES + 1024;
    const bigRecord = Buffer.concat([header(BigInt(big)), Buffer.alloc(big + 4)]);
    await writeFile(file, Buffer.concat([bigRecord, events]));
    const { series, warnings } = await readEventFiles([file]);
    const plain = await readEventFiles([EVENTS]);
    expect(series).toEqual(plain.series.map((s) => ({ ...s, source: file })));
    expect(warnings).toEqual([{ file, byteOffset: 0, message: 'record of 16 MB skipped: larger than 16 MB, so not a scalar' }]);
  });
});

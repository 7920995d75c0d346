import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRecord } from '../../src/registry/parse.js';
import { LOCK_FILE, readRecordIn, updateRecordIn } from '../../src/registry/run-dir/index.js';
import { FIELDS, TYPES, fullRecord } from '../reliability/record-fuzz.mjs';

const ID = 'ppo-20250101-000000-aaaaaa';

/** Which JSON types each field may hold; every other type makes the record damaged. */
const ACCEPTS: Record<string, string[]> = {
  id: ['string'],
  name: ['string'],
  cwd: ['string'],
  createdAt: ['string'],
  startedAt: ['string'],
  pm2Name: ['string'],
  slurmJobId: ['string'],
  stopRequestedAt: ['string'],
  hostname: ['string'],
  user: ['string'],
  rlRunVersion: ['string'],
  restartOf: ['string'],
  script: ['string', 'null'],
  interpreter: ['string', 'null'],
  args: ['array'],
  restartArgs: ['array'],
  tags: ['array'],
  attempts: ['array'],
  env: ['object'],
  config: ['object'],
  schemaVersion: ['number'],
  pid: ['number'],
  pidStartTime: ['number'],
  stopTimeoutMs: ['number'],
};

describe('parseRecord: every field × every JSON type (issue 9, item 9)', () => {
  const cases = FIELDS.flatMap((field) => Object.keys(TYPES).map((type) => [field, type] as const));
  it.each(cases)('%s = %s', (field, type) => {
    const value = TYPES[type as keyof typeof TYPES];
    const parsed = parseRecord(JSON.stringify({ ...fullRecord(ID), [field]: value }));
    if ((ACCEPTS[field] ?? []).includes(type)) {
      expect(parsed.ok).toBe(true);
    } else {
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.reason).toContain(`'${field}`);
    }
  });

  it.each([
    [{ status: { state: 'failed', endedAt: 'x', exitCode: 'one', signal: null, reason: 'r' } }, "'status.exitCode' must be an integer or null"],
    [{ status: { state: 'succeeded' } }, "'status.endedAt' is missing"],
    [{ status: { state: 'exploded' } }, "'status.state' must be a run state"],
    [{ pid: -1 }, "'pid' must be a positive integer"],
    [{ runner: { pid: 0 } }, "'runner' must be an object with a positive integer pid"],
    [{ command: [] }, "'command' must be a non-empty array of strings"],
    [{ tags: ['a', 1] }, "'tags' must be an array of strings"],
    [{ env: { A: 1 } }, "'env' must be an object of strings"],
    [{ git: { commit: 'a' } }, "'git' must be an object with a commit and dirty"],
    [{ attempts: [{}] }, "'attempts' must be an array of attempts"],
    [{ backend: 'kubernetes' }, "'backend' must be 'pm2' or 'slurm'"],
  ])('%j → %s', (change, reason) => {
    const parsed = parseRecord(JSON.stringify({ ...fullRecord(ID), ...change }));
    expect(parsed.ok ? 'ok' : parsed.reason).toContain(reason);
  });

  it('a field nested 200,000 deep is damaged, not a crash of whoever prints it', () => {
    const text = JSON.stringify(fullRecord(ID)).slice(0, -1);
    const parsed = parseRecord(`${text},"x":${'['.repeat(200_000)}${']'.repeat(200_000)}}`);
    expect(parsed.ok ? 'ok' : parsed.reason).toMatch(/nests (deeper than 64 levels|too deep)/);
  });

  it('keeps fields it does not know, and fills in what older records lack', () => {
    const { tags: _tags, attempts: _attempts, ...old } = fullRecord(ID);
    const parsed = parseRecord(JSON.stringify({ ...old, fromTheFuture: { x: 1 } }));
    expect(parsed.ok && { tags: parsed.record.tags, attempts: parsed.record.attempts, future: (parsed.record as never)['fromTheFuture'] }).toEqual({
      tags: [],
      attempts: [],
      future: { x: 1 },
    });
  });
});

describe('the record lock', () => {
  let dir: string;
  beforeEach(() => {
    dir = path.join(mkdtempSync(path.join(tmpdir(), 'rl-run-lock-')), ID);
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'run.json'), JSON.stringify(fullRecord(ID)));
  });
  afterEach(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

  it('takes over a lock left by a process that died, and releases its own', () => {
    // pid 2^22+1 is above pid_max's default ceiling: no live process has it.
    writeFileSync(path.join(dir, LOCK_FILE), `${2 ** 22 + 1} 1`);
    updateRecordIn(dir, (record) => ({ ...record, tags: ['locked'] }));
    expect(JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')).tags).toEqual(['locked']);
    expect(() => readFileSync(path.join(dir, LOCK_FILE))).toThrow(/ENOENT/);
  });

  it('writes nothing when the change returns the record as it was', () => {
    const before = readFileSync(path.join(dir, 'run.json'), 'utf8');
    updateRecordIn(dir, (record) => record);
    expect(readFileSync(path.join(dir, 'run.json'), 'utf8')).toBe(before);
  });

  it('reads a record only in the directory its id names', () => {
    writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ ...fullRecord(ID), id: '../outside' }));
    const read = readRecordIn(dir);
    expect(read.ok ? 'ok' : read.reason).toContain("names run '../outside'");
    expect(() => updateRecordIn(dir, (record) => record)).toThrow(/names run/);
  });
});

// Record fuzz (issue 9, item 9): every field of a run record set to each JSON type, in one registry
// beside good runs, and every command run against it. The commands are called in-process (the very
// functions the CLI's handlers call; spawning node 2,000 times would take minutes): a command may
// fail only with an RlRunError, which the CLI prints as one line with exit 1 or 2; any other error is
// a crash (the CLI's "unexpected error"). After each command, the good runs must still be listed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { ROOT } from './sandbox.mjs';

const dist = (file) => import(path.join(ROOT, 'dist', file));

export const TYPES = { null: null, number: 7, string: 'x', array: [], object: {}, bool: true };

/** A record with every field the schema knows filled in, so each is exercised. */
export function fullRecord(id) {
  return {
    schemaVersion: 1,
    id,
    name: id.replace(/-\d{8}-\d{6}-[0-9a-z]{6}$/, ''),
    backend: 'pm2',
    script: '/nonexistent/train.py',
    args: ['--lr', '0.1'],
    command: ['python3', '/nonexistent/train.py', '--lr', '0.1'],
    cwd: '/',
    interpreter: 'python3',
    tags: ['fuzz'],
    env: { SEED: '1' },
    createdAt: '2025-01-01T00:00:00.000Z',
    startedAt: '2025-01-01T00:00:01.000Z',
    status: { state: 'succeeded', endedAt: '2025-01-01T00:01:00.000Z', exitCode: 0 },
    launcher: { pid: 1, startTime: 1 },
    runner: { pid: 1, startTime: 1 },
    pid: 1,
    pidStartTime: 1,
    pm2Name: `rlrun-${id}`,
    stopRequestedAt: '2025-01-01T00:00:30.000Z',
    hostname: hostname(),
    user: 'test',
    rlRunVersion: '0.1.0',
    git: { commit: 'abc', branch: 'main', dirty: false },
    stopTimeoutMs: 30000,
    restart: { maxRestarts: 0, delayMs: 0 },
    attempts: [{ startedAt: '2025-01-01T00:00:01.000Z', endedAt: '2025-01-01T00:01:00.000Z', exitCode: 0, signal: null }],
    restartOf: 'old-20240101-000000-aaaaaa',
    restartArgs: ['--lr', '1e-4'],
    slurmJobId: '1',
    config: { lr: 0.1 },
  };
}

export const FIELDS = Object.keys(fullRecord('x-20250101-000000-aaaaaa'));

/** Writes the registry: 3 good runs, one run per field × type, one nested 200,000 deep. Returns their ids. */
export function writeFuzzRegistry(runsDir) {
  mkdirSync(runsDir, { recursive: true });
  const write = (id, text) => {
    mkdirSync(path.join(runsDir, id));
    writeFileSync(path.join(runsDir, id, 'run.json'), text);
    writeFileSync(path.join(runsDir, id, 'stdout.log'), 'step=1 loss=0.5\n');
  };
  const good = ['good-20250102-000000-aaaaaa', 'good-20250102-000001-bbbbbb', 'good-20250102-000002-cccccc'];
  for (const id of good) write(id, JSON.stringify(fullRecord(id)));
  const variants = [];
  let n = 0;
  for (const field of FIELDS) {
    for (const [type, value] of Object.entries(TYPES)) {
      const id = `fz${n++}-20250101-000000-${String(n).padStart(6, '0')}`;
      write(id, JSON.stringify({ ...fullRecord(id), [field]: value }));
      variants.push({ id, field, type });
    }
  }
  const deep = 'deep-20250101-000000-zzzzzz';
  const record = JSON.stringify(fullRecord(deep));
  write(deep, `${record.slice(0, -1)},"nested":${'['.repeat(200_000)}${']'.repeat(200_000)}}`);
  variants.push({ id: deep, field: 'nested', type: '200,000 deep' });
  return { good, variants };
}

/** Runs `action` with stdout and stderr captured; returns what it threw, if anything. */
async function captured(action) {
  const writes = [process.stdout.write, process.stderr.write];
  let text = '';
  process.stdout.write = (chunk) => {
    text += String(chunk);
    return true;
  };
  process.stderr.write = () => true;
  try {
    await action();
    return { error: null, text };
  } catch (error) {
    return { error, text };
  } finally {
    [process.stdout.write, process.stderr.write] = writes;
    process.exitCode = undefined;
  }
}

/**
 * Every command against every fuzzed run (and the registry-wide ones once per variant would be the
 * same call: they run once, against all variants at once). Returns the counts and the first crashes.
 */
export async function fuzzCommands(runsDir, { good, variants }) {
  const { RlRunError } = await dist('errors.js');
  const { list } = await dist('commands/ls.js');
  const { show } = await dist('commands/show.js');
  const { logs } = await dist('commands/logs.js');
  const { metrics } = await dist('commands/metrics.js');
  const { compare } = await dist('commands/compare.js');
  const { stop } = await dist('commands/stop.js');
  const { planFromRecord, restart } = await dist('commands/restart.js');
  const { clean, cleanOptions } = await dist('commands/clean.js');
  const { du } = await dist('commands/du.js');
  const { showTrash } = await dist('commands/restore.js');
  const { Registry } = await dist('registry/registry.js');
  const globals = { runsDir };
  const { statsOptionsOf } = await dist('commands/stats-flags.js');
  // As compare's handler builds them with no flags: grouping on, so a bad record reaches the group statistics too.
  const compareOptions = (selectors) => ({
    selectors,
    tags: [],
    metrics: [],
    allParams: false,
    output: 'json',
    grouping: { enabled: true },
    statsMetrics: [],
    score: { kind: 'last' },
    stats: statsOptionsOf({}),
    gammaGiven: false,
    csvGroups: false,
    band: 'ci',
    smooth: 0,
  });

  // Commands that name one run: each is run against each variant.
  const perRun = {
    show: (id) => show(id, false, globals),
    'show --json': (id) => show(id, true, globals),
    logs: (id) => logs({ selector: id, lines: 10, streams: 'all', follow: false }, globals),
    metrics: (id) => metrics({ selector: id, json: true }, globals),
    compare: (id) => compare(compareOptions([good[0], id]), globals),
    stop: (id) => stop({ selectors: [id], tags: [] }, '1s', globals),
    // A readable variant would really be started again: its launch plan is built instead.
    restart: async (id) => {
      const raw = new Registry(runsDir).readRaw(id);
      if (raw.ok) planFromRecord(raw.run);
      else await restart(id, { stopOld: false, json: true }, globals);
    },
  };
  // Commands over the whole registry: run once with every variant in it.
  const whole = {
    ls: () => list({ statuses: [], tags: [], json: false }, globals),
    'ls --json': () => list({ statuses: [], tags: [], json: true }, globals),
    du: () => du(false, globals),
    'du --json': () => du(true, globals),
    'ls --trash': () => showTrash(false, globals),
    'compare (by tag)': () => compare({ ...compareOptions([]), tags: ['fuzz'] }, globals),
    'clean --orphaned --dry-run': () => clean(cleanOptions({ orphaned: true, dryRun: true, json: true }), globals),
    'clean --status failed --dry-run': () => clean(cleanOptions({ status: ['failed'], dryRun: true, json: true }), globals),
    'clean --status succeeded --dry-run': () => clean(cleanOptions({ status: ['succeeded'], dryRun: true, json: true }), globals),
  };

  const crashes = [];
  let calls = 0;
  let goodMissing = 0;
  const goodListed = async () => {
    const { text, error } = await captured(() => list({ statuses: [], tags: [], json: true }, globals));
    if (error) return false;
    const ids = JSON.parse(text).map((r) => r.id);
    return good.every((id) => ids.includes(id));
  };
  const call = async (name, target, action) => {
    calls++;
    const { error } = await captured(action);
    if (error && !(error instanceof RlRunError)) crashes.push(`${name} ${target}: ${error?.constructor?.name}: ${String(error?.message).split('\n')[0]}`);
    if (error instanceof RlRunError && error.message.includes('\n')) crashes.push(`${name} ${target}: a message of several lines`);
  };
  for (const [name, action] of Object.entries(whole)) {
    await call(name, 'registry', action);
    if (!(await goodListed())) goodMissing++;
  }
  for (const variant of variants) {
    for (const [name, action] of Object.entries(perRun)) await call(name, `${variant.field}=${variant.type}`, () => action(variant.id));
    if (!(await goodListed())) goodMissing++;
  }
  return {
    fields: FIELDS.length,
    types: Object.keys(TYPES).length,
    commands: Object.keys(perRun).length + Object.keys(whole).length,
    calls,
    crashes,
    goodMissing,
  };
}

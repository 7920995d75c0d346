import { describe, expect, it } from 'vitest';
import { type OrphanFacts, planOrphans } from '../../src/clean/orphans.js';
import { mergePlans } from '../../src/clean/plan.js';
import { planPurge } from '../../src/clean/purge.js';
import { type RetentionOptions, type RetentionRun, planRetention } from '../../src/clean/retention.js';
import { parseAge, parseSize } from '../../src/clean/units.js';
import { formatBytes } from '../../src/format/numbers.js';

const NOW = new Date('2025-03-01T00:00:00Z');
const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY).toISOString();

function run(id: string, over: Partial<RetentionRun> = {}): RetentionRun {
  const name = id.replace(/-\d+$/, '');
  return { id, recordId: id, name, tags: [], state: 'succeeded', ended: true, createdAt: daysAgo(30), endedAt: daysAgo(30), bytes: 1000, ...over };
}
const noCriteria: RetentionOptions = { statuses: [], tags: [] };
const trashed = (runs: RetentionRun[], options: Partial<RetentionOptions>) =>
  planRetention(runs, { ...noCriteria, ...options }, NOW).actions.map((a) => ('id' in a ? a.id : ''));

describe('units', () => {
  it.each([
    ['12h', 12 * 3_600_000],
    ['14d', 14 * DAY],
    ['2w', 14 * DAY],
    ['1.5d', 1.5 * DAY],
    ['14', null],
    ['3m', null],
  ])('parseAge(%s) = %s', (text, ms) => expect(parseAge(text)).toBe(ms));

  it.each([
    ['1G', 1024 ** 3],
    ['500M', 500 * 1024 ** 2],
    ['10k', 10240],
    ['2048', 2048],
    ['1.5GiB', 1.5 * 1024 ** 3],
    ['lots', null],
  ])('parseSize(%s) = %s', (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it.each([
    [0, '0 B'],
    [1536, '1.5 KB'],
    [12 * 1024 ** 2, '12 MB'],
  ])('formatBytes(%s) = %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text));
});

describe('planRetention', () => {
  const runs = [
    run('ppo-1', { state: 'failed', endedAt: daysAgo(20), createdAt: daysAgo(20) }),
    run('ppo-2', { state: 'failed', endedAt: daysAgo(2), createdAt: daysAgo(2) }),
    run('ppo-3', { state: 'succeeded', endedAt: daysAgo(25), createdAt: daysAgo(25), tags: ['sweep'], bytes: 5 * 1024 ** 3 }),
    run('ppo-4', { state: 'running', ended: false, endedAt: undefined, createdAt: daysAgo(40) }),
    run('sac-1', { state: 'lost', endedAt: daysAgo(15), createdAt: daysAgo(16), tags: ['sweep'] }),
    run('sac-2', { state: 'stopped', endedAt: daysAgo(1), createdAt: daysAgo(1) }),
  ];

  it.each<[string, Partial<RetentionOptions>, string[]]>([
    ['--status failed', { statuses: ['failed'] }, ['ppo-1', 'ppo-2']],
    ['--status failed --status lost', { statuses: ['failed', 'lost'] }, ['ppo-1', 'ppo-2', 'sac-1']],
    ['--older-than 14d', { olderThanMs: 14 * DAY }, ['ppo-1', 'ppo-3', 'sac-1']],
    ['--status failed --older-than 14d', { statuses: ['failed'], olderThanMs: 14 * DAY }, ['ppo-1']],
    ['--name sac', { name: 'sac' }, ['sac-1', 'sac-2']],
    ['--tag sweep', { tags: ['sweep'] }, ['ppo-3', 'sac-1']],
    ['--larger-than 1G', { largerThanBytes: 1024 ** 3 }, ['ppo-3']],
    ['--keep-last 1 (newest of each name kept, whatever its status)', { keepLast: 1 }, ['ppo-1', 'ppo-3', 'sac-1']],
    ['--keep-last 1 --status failed', { keepLast: 1, statuses: ['failed'] }, ['ppo-1']],
    ['--keep-last 2 --status failed (the two newest ppo runs are protected)', { keepLast: 2, statuses: ['failed'] }, []],
    ['--older-than 14d --keep-last 3 (no name drops below three runs)', { olderThanMs: 14 * DAY, keepLast: 3 }, []],
    ['--older-than 14d --keep-last 2', { olderThanMs: 14 * DAY, keepLast: 2 }, ['ppo-3']],
  ])('%s', (_label, options, expected) => {
    expect(trashed(runs, options).sort()).toEqual(expected.sort());
  });

  it('never deletes a run that has not ended, and says so', () => {
    const plan = planRetention(runs, { ...noCriteria, olderThanMs: 14 * DAY }, NOW);
    expect(plan.kept).toEqual([{ id: 'ppo-4', reason: 'running: a run that has not ended is never deleted' }]);
  });

  it('gives each action its reason and size', () => {
    const plan = planRetention(runs, { ...noCriteria, statuses: ['failed'], olderThanMs: 14 * DAY }, NOW);
    expect(plan.actions).toEqual([{ kind: 'trash', id: 'ppo-1', reason: 'failed, ended 20d 0h ago', bytes: 1000 }]);
  });

  it('refuses a record pointing elsewhere, a name with .., and an unsafe directory', () => {
    const bad = [
      run('a-1', { state: 'failed', recordId: '../../home/user' }),
      run('b..c-1', { state: 'failed' }),
      run('d-1', { state: 'failed', unsafe: 'resolves to /data, outside the runs directory' }),
    ];
    const plan = planRetention(bad, { ...noCriteria, statuses: ['failed'] }, NOW);
    expect(plan.actions).toEqual([]);
    expect(plan.refused.map((r) => r.target)).toEqual(['a-1', 'b..c-1', 'd-1']);
  });
});

describe('planOrphans', () => {
  const base: OrphanFacts = { runsDir: '/r', runs: [], damaged: [], pm2: [], backends: [], pm2Logs: [], processes: [] };
  const kinds = (facts: Partial<OrphanFacts>) => planOrphans({ ...base, ...facts }).actions.map((a) => `${a.kind} ${'id' in a ? a.id : 'pm2Name' in a ? a.pm2Name : 'file' in a ? a.file : 'handle' in a ? `${a.backend} ${a.handle}` : 'dir' in a ? a.dir : a.pid}`);

  it.each<[string, Partial<OrphanFacts>, string[]]>([
    ['a running record with nothing running is marked lost', { runs: [{ id: 'x', recorded: 'running', observed: 'lost' }] }, ['mark-lost x']],
    ['a record that ended is left alone', { runs: [{ id: 'x', recorded: 'succeeded', observed: 'succeeded' }] }, []],
    [
      'pm2 entries of ended or vanished runs are deleted; online ones and other runs dirs are not',
      {
        pm2: [
          { name: 'rlrun-a', online: false, runDir: '/r/a', runState: 'succeeded' },
          { name: 'rlrun-b', online: false, runDir: '/r/b', runState: 'gone' },
          { name: 'rlrun-c', online: true, runDir: '/r/c', runState: 'succeeded' },
          { name: 'rlrun-d', online: false, runDir: '/other/d', runState: 'gone' },
          { name: 'rlrun-e', online: false, runDir: '/r/e', runState: 'running' },
        ],
      },
      ['pm2-delete rlrun-a', 'pm2-delete rlrun-b'],
    ],
    [
      'SLURM jobs of ended or vanished runs are cancelled; those of live runs, of other runs dirs or of an unknown dir are not',
      {
        backends: [
          {
            backend: 'slurm',
            entries: [
              { handle: '11', runId: 'a', runDir: '/r/a', live: true, runState: 'stopped' },
              { handle: '12', runId: 'b', runDir: '/r/b', live: true, runState: 'gone' },
              { handle: '13', runId: 'c', runDir: '/r/c', live: true, runState: 'running' },
              { handle: '14', runId: 'd', runDir: '/other/d', live: true, runState: 'gone' },
              { handle: '15', runId: 'e', runDir: null, live: true, runState: 'unreadable' },
              { handle: '16', runId: 'f', runDir: '/r/f', live: true, runState: 'unreadable' },
            ],
          },
        ],
      },
      ['remove-orphan slurm 11', 'remove-orphan slurm 12'],
    ],
    [
      'hidden leftovers of starts cut short, once no start can still be filling them',
      { unfinished: [{ dir: '/r/.unfinished-a-1', ageMs: 10 * 60_000, bytes: 3 }, { dir: '/r/.sweeps/.unfinished-s-1', ageMs: 10 * 60_000, bytes: 1 }, { dir: '/r/.unfinished-b-1', ageMs: 1_000, bytes: 3 }] },
      ['remove-unfinished /r/.unfinished-a-1', 'remove-unfinished /r/.sweeps/.unfinished-s-1'],
    ],
    [
      'log files of names pm2 no longer lists',
      {
        pm2: [{ name: 'rlrun-a', online: true, runDir: '/r/a', runState: 'running' }],
        pm2Logs: [
          { file: '/h/logs/rlrun-a-out.log', pm2Name: 'rlrun-a', bytes: 1 },
          { file: '/h/logs/rlrun-z-out.log', pm2Name: 'rlrun-z', bytes: 1 },
        ],
      },
      ['remove-log /h/logs/rlrun-z-out.log'],
    ],
    ['without a daemon, every rl-run log file is an orphan', { pm2: null, pm2Logs: [{ file: '/h/logs/rlrun-a-out.log', pm2Name: 'rlrun-a', bytes: 1 }] }, ['remove-log /h/logs/rlrun-a-out.log']],
    [
      'damaged directories once the start grace has passed',
      {
        damaged: [
          { id: 'old', reason: 'no run.json', ageMs: 10 * 60_000, bytes: 0 },
          { id: 'young', reason: 'no run.json', ageMs: 1000, bytes: 0 },
        ],
      },
      ['trash old'],
    ],
    [
      'processes of ended or vanished runs in this runs directory, unless their runner still lives',
      {
        processes: [
          { pid: 1, runId: 'a', runDir: '/r/a', runState: 'lost', runnerAlive: false },
          { pid: 2, runId: 'b', runDir: '/r/b', runState: 'gone', runnerAlive: false },
          { pid: 3, runId: 'c', runDir: '/r/c', runState: 'running', runnerAlive: false },
          { pid: 4, runId: 'd', runDir: '/r/d', runState: 'succeeded', runnerAlive: true },
          { pid: 5, runId: 'e', runDir: '/elsewhere/e', runState: 'gone', runnerAlive: false },
          { pid: 6, runId: 'f', runDir: null, runState: 'unreadable', runnerAlive: false },
        ],
      },
      ['kill 1', 'kill 2'],
    ],
    [
      'an online entry whose directory is gone goes with its processes, in the same pass; without processes to end it stays',
      {
        pm2: [
          { name: 'rlrun-g', online: true, runDir: '/r/g', runState: 'gone' },
          { name: 'rlrun-h', online: true, runDir: '/r/h', runState: 'gone' },
        ],
        processes: [{ pid: 7, runId: 'g', runDir: '/r/g', runState: 'gone', runnerAlive: false }],
      },
      ['kill 7', 'pm2-delete rlrun-g'],
    ],
  ])('%s', (_label, facts, expected) => {
    expect(kinds(facts)).toEqual(expected);
  });

  it('refuses a damaged directory that leads out of runsDir', () => {
    const plan = planOrphans({ ...base, damaged: [{ id: 'evil', reason: 'no run.json', ageMs: 1e9, bytes: 0, unsafe: 'outside' }] });
    expect(plan.actions).toEqual([]);
    expect(plan.refused).toEqual([{ target: 'evil', reason: 'outside' }]);
  });
});

describe('mergePlans', () => {
  it('keeps an action two plans both chose once', () => {
    const a = { actions: [{ kind: 'pm2-delete' as const, pm2Name: 'rlrun-x', reason: 'its run is failed' }], refused: [], kept: [] };
    const b = { actions: [{ kind: 'pm2-delete' as const, pm2Name: 'rlrun-x', reason: 'its run directory goes to the trash' }, { kind: 'trash' as const, id: 'x', reason: 'failed', bytes: 1 }], refused: [], kept: [] };
    expect(mergePlans(a, b).actions.map((x) => x.kind)).toEqual(['pm2-delete', 'trash']);
  });
});

describe('planPurge', () => {
  it('purges all, or what has been in the trash longer than --older-than', () => {
    const entries = [
      { id: 'a', deletedAt: daysAgo(10), bytes: 5 },
      { id: 'b', deletedAt: daysAgo(1), bytes: 7 },
    ];
    expect(planPurge(entries, undefined, NOW).actions.map((a) => 'id' in a && a.id)).toEqual(['a', 'b']);
    expect(planPurge(entries, 7 * DAY, NOW).actions.map((a) => 'id' in a && a.id)).toEqual(['a']);
  });
});

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcess } from '../helpers/in-process.js';
import { type Sandbox, createSandbox } from '../helpers/sandbox.js';
import { refIqm, refImprovement, refMean, refMedian, refOptimalityGap } from './reference.js';

const GOOD = `group,task,run,score
ppo,pong,s1,0.5
ppo,pong,s2,0.7
ppo,pong,s3,0.9
ppo,breakout,s1,0.2
ppo,breakout,s2,1.4
ppo,breakout,s3,0.6
"sac, tuned",pong,a,0.4
"sac, tuned",pong,b,0.7
"sac, tuned",pong,c,0.1
"sac, tuned",pong,d,0.3
"sac, tuned",breakout,a,0.2
"sac, tuned",breakout,b,0.9
"sac, tuned",breakout,c,0.6
"sac, tuned",breakout,d,0.6
`;

// Each bad file, the line its message must name, and the problem.
const BAD: [string, string, RegExp][] = [
  ['no header', 'ppo,pong,s1,0.5\n', /bad\.csv:1: the header needs the columns group,task,run,score/],
  ['a score that is not a number', 'group,task,run,score\nppo,pong,s1,0.5\nppo,pong,s2,abc\n', /bad\.csv:3: score "abc" is not a number/],
  ['a score that is NaN', 'group,task,run,score\nppo,pong,s1,NaN\n', /bad\.csv:2: score "NaN" is not a number/],
  ['too few fields', 'group,task,run,score\nppo,pong,0.5\n', /bad\.csv:2: 3 fields where the header has 4/],
  ['a run given twice', 'group,task,run,score\nppo,pong,s1,0.5\nppo,pong,s1,0.6\n', /bad\.csv:3: group ppo, task pong, run s1 is given twice/],
  ['tasks with different run counts', 'group,task,run,score\nppo,pong,s1,1\nppo,pong,s2,2\nppo,go,s1,1\n', /bad\.csv:4: group ppo: task go has 1 runs, and no score for run s2/],
  ['a group lacking a task', 'group,task,run,score\nppo,pong,s1,1\nppo,go,s1,1\nsac,pong,s1,1\n', /bad\.csv:3: group sac lacks task go: every group needs the same tasks/],
  ['only the header', 'group,task,run,score\n', /bad\.csv:2: no scores/],
  ['an empty file', '', /bad\.csv:1: the header needs/],
];

describe('rl-run stats --scores', () => {
  let sandbox: Sandbox;
  let here: Sandbox;
  beforeAll(() => {
    sandbox = createSandbox();
    here = inProcess(sandbox);
    writeFileSync(path.join(sandbox.dir, 'scores.csv'), GOOD);
  });
  afterAll(() => sandbox.cleanup());

  it('2 groups → the JSON shape, point estimates by the definitions, intervals around them', async () => {
    const result = await here.cli(['stats', '--scores', 'scores.csv', '--json', '--reps', '3000', '--poi-reps', '300', '--ci-method', 'rliable', '--gamma', '0.8']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const json = JSON.parse(result.stdout);
    expect(json.statistics).toEqual({ metric: null, score: 'given', ciMethod: 'rliable', confidence: 0.95, reps: 3000, poiReps: 300, randomState: 42 });
    expect(json.groups.map((g: { label: string; n: number; runs: string[] }) => [g.label, g.n, g.runs])).toEqual([
      ['ppo', 3, ['s1', 's2', 's3']],
      ['sac, tuned', 4, ['a', 'b', 'c', 'd']],
    ]);
    expect(json.groups[1].tasks).toEqual({ pong: [0.4, 0.7, 0.1, 0.3], breakout: [0.2, 0.9, 0.6, 0.6] });
    for (const group of json.groups) {
      const table = Object.values(group.tasks) as number[][];
      const expected = { iqm: refIqm(table), mean: refMean(table), median: refMedian(table), optimalityGap: refOptimalityGap(table, 0.8) };
      for (const [name, value] of Object.entries(expected)) {
        expect(group[name].value).toBeCloseTo(value, 9);
        expect(group[name].ci[0]).toBeLessThanOrEqual(group[name].value);
        expect(group[name].ci[1]).toBeGreaterThanOrEqual(group[name].value);
      }
    }
    expect(json.probabilityOfImprovement).toEqual([{ x: 'ppo', y: 'sac, tuned', value: expect.closeTo(refImprovement(Object.values(json.groups[0].tasks), Object.values(json.groups[1].tasks)), 9), ci: [expect.any(Number), expect.any(Number)] }]);
    // The same input gives the same output.
    const again = await here.cli(['stats', '--scores', 'scores.csv', '--json', '--reps', '3000', '--poi-reps', '300', '--ci-method', 'rliable', '--gamma', '0.8']);
    expect(again.stdout).toBe(result.stdout);
  });

  it('a header after a byte-order mark (as spreadsheets export) is read', async () => {
    writeFileSync(path.join(sandbox.dir, 'bom.csv'), `\ufeff${GOOD}`);
    const result = await here.cli(['stats', '--scores', 'bom.csv', '--json', '--reps', '100', '--poi-reps', '100']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).groups).toHaveLength(2);
  });

  it('the terminal: a row per group with intervals, the probability-of-improvement matrix, and the few-runs warning', async () => {
    const result = await here.cli(['stats', '--scores', 'scores.csv', '--reps', '2000', '--poi-reps', '200']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^GROUP +N +IQM \[95%\] +MEAN +MEDIAN +OPT\. GAP \(γ=1\)\nppo +3 +[\d.]+ \[[\d.]+, [\d.]+\]/);
    expect(result.stdout).toMatch(/sac, tuned +4 /);
    expect(result.stdout).toMatch(/probability of improvement:\nP\(ROW > COLUMN\) +ppo +sac, tuned\nppo +- +[\d.]+ \[/);
    expect(result.stderr).toBe('rl-run: warning: group ppo has 3 runs: intervals from fewer than 5 runs are rough (add seeds)\nrl-run: warning: group sac, tuned has 4 runs: intervals from fewer than 5 runs are rough (add seeds)\n');
  });

  it.each(BAD)('a CSV with %s: exit 2, one line naming the line and the problem', async (_what, text, message) => {
    writeFileSync(path.join(sandbox.dir, 'bad.csv'), text);
    const result = await here.cli(['stats', '--scores', 'bad.csv']);
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(/^rl-run: [^\n]+\n$/);
    expect(result.stderr).toMatch(message);
  });

  it.each([
    [['--reps', '0'], /--reps 0: expected a whole number >= 1/],
    [['--reps', '5000000000'], /--reps 5000000000: at most 10000000/],
    [['--poi-reps', 'many'], /--poi-reps many: expected a whole number >= 1/],
    [['--confidence', '95'], /--confidence 95: expected a number between 0 and 1/],
    [['--random-state', '-1'], /--random-state -1: expected a whole number >= 0/],
    [['--ci-method', 'bca'], /--ci-method bca: expected one of auto, rliable/],
    [['--gamma', 'abc'], /--gamma abc: expected a number/],
  ])('bad flag %j: exit 2, one line', async (flags, message) => {
    const result = await here.cli(['stats', '--scores', 'scores.csv', ...flags]);
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(/^rl-run: [^\n]+\n$/);
    expect(result.stderr).toMatch(message);
  });

  it('no --scores, a missing file, a directory and a FIFO: exit 2, one line, nothing blocks', async () => {
    execFileSync('mkfifo', [path.join(sandbox.dir, 'fifo.csv')]);
    const cases: [string[], RegExp][] = [
      [[], /--scores/],
      [['--scores', 'nope.csv'], /--scores nope\.csv: no such file/],
      [['--scores', '.'], /--scores \.: not a regular file/],
      [['--scores', 'fifo.csv'], /--scores fifo\.csv: not a regular file/],
    ];
    for (const [flags, message] of cases) {
      const result = await here.cli(['stats', ...flags]);
      expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
      expect(result.stderr).toMatch(/^rl-run: [^\n]+\n$/);
      expect(result.stderr).toMatch(message);
    }
  });
});

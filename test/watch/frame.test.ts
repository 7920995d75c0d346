import { describe, expect, it } from 'vitest';
import { sparkline } from '../../src/resources/cells.js';
import { cpuPercentBetween, type TreeSample } from '../../src/process/resources.js';
import { parseCpuTicks, statusBytes } from '../../src/process/proc.js';
import { INITIAL_STATE, KEYS, pressKey, renderFrame, renderPlain, type TopData, type TopRun, type TopState } from '../../src/watch/frame.js';
import { splitKeys } from '../../src/watch/top.js';

const MB = 1024 * 1024;
const running: TopRun = {
  id: 'ppo-20260101-000000-aaaaaa',
  state: 'running',
  duration: '1h 05m',
  progress: { step: 250_000, stepsPerSecond: 812.5, total: 1_000_000, etaSeconds: 923, main: { name: 'episodic_return', last: 187.25, recent: [1, 2, 3, 5, 8] } },
  resources: { cpuPercent: 187.4, rssBytes: 628 * MB, peakRssBytes: 700 * MB, gpus: [{ index: 0, memoryBytes: 2048 * MB, utilizationPercent: 87 }] },
};
const queued: TopRun = { id: 'sac-20260101-000100-bbbbbb', state: 'queued', reason: 'waiting for a GPU', duration: '', progress: null, resources: null };
const ended: TopRun = { id: 'dqn-20260101-000200-cccccc', state: 'failed', duration: '3m', exit: '1', endedAgo: '12m ago', progress: null, resources: null };
const data: TopData = { active: [running, queued], ended: [ended], now: new Date('2026-01-01T01:05:00Z') };
const size = { width: 160, height: 20 };
const lineOf = (lines: string[], id: string) => lines.find((line) => line.includes(id)) ?? '';

describe('the top frame', () => {
  it('shows a running run with step/total, steps/s, ETA, main metric with its trend, CPU, MEM, GPU', () => {
    const lines = renderFrame(data, INITIAL_STATE, size);
    expect(lines).toHaveLength(size.height);
    const header = lines.find((line) => line.includes('STEPS/S'))!;
    expect(header.split(/\s+/).filter(Boolean)).toEqual(['ID', 'STATUS', 'TIME', 'STEP', 'STEPS/S', 'ETA', 'METRIC', 'TREND', 'CPU', 'MEM', 'GPU']);
    expect(lineOf(lines, running.id).split(/\s{2,}/)).toEqual(['> ppo-20260101-000000-aaaaaa', 'running', '1h 05m', '250k/1M', '813', '15m', 'episodic_return 187.25', '▁▂▃▅█', '187%', '628 MB', '0:2.0 GB 87%']);
    expect(lineOf(lines, queued.id)).toMatch(/^ {2}sac-\S+\s+queued \(waiting for a GPU\)$/);
    expect(lineOf(lines, ended.id)).toMatch(/^ {2}dqn-\S+\s+failed\s+3m\s+1\s+12m ago$/);
    expect(lines.at(-1)).toBe('↑/↓ select  l logs  s stop  q quit');
  });

  it('fits the terminal: no line wider than it, never more lines than it has', () => {
    const small = { width: 40, height: 6 };
    const lines = renderFrame(data, { ...INITIAL_STATE, logs: { id: running.id, lines: Array.from({ length: 50 }, (_, i) => `line ${i}`) } }, small, true);
    expect(lines).toHaveLength(6);
    for (const line of lines) expect(line.replace(/\x1b\[[0-9;]*m/g, '').length).toBeLessThanOrEqual(40);
  });

  it('shows the last log lines that fit, newest at the bottom', () => {
    const lines = renderFrame(data, { ...INITIAL_STATE, logs: { id: running.id, lines: Array.from({ length: 50 }, (_, i) => `line ${i}`) } }, size);
    expect(lines).toContain(`── last lines of ${running.id} (l closes) ──`);
    expect(lines).toContain('line 49');
    expect(lines).not.toContain('line 0');
  });

  it('asks before stopping, in the footer', () => {
    expect(renderFrame(data, { ...INITIAL_STATE, confirmStop: running.id }, size).at(-1)).toBe(`stop ${running.id}? (y/n)`);
  });

  it('says when nothing runs', () => {
    expect(renderFrame({ active: [], ended: [], now: data.now }, INITIAL_STATE, size)).toContain('  nothing running or queued');
    expect(renderPlain({ active: [], ended: [], now: data.now })).toBe('nothing running or queued');
  });

  it('the plain table has no selection mark and no colour', () => {
    const text = renderPlain(data);
    expect(text).not.toMatch(/^> /m);
    expect(text).not.toContain('\x1b[');
    expect(text.split('\n')[0]).toMatch(/^ID\s+STATUS/);
  });
});

describe('keys', () => {
  const press = (keys: string[], state: TopState = INITIAL_STATE) => {
    let effect = null;
    for (const key of keys) ({ state, effect } = pressKey(state, key, data) as { state: TopState; effect: null });
    return { state, effect: effect as ReturnType<typeof pressKey>['effect'] };
  };

  it('↑/↓ move the selection within the rows', () => {
    expect(press([KEYS.down, KEYS.down, KEYS.down, KEYS.down]).state.selected).toBe(2);
    expect(press([KEYS.down, KEYS.up, KEYS.up]).state.selected).toBe(0);
  });

  it('s asks, y stops the selected run, anything else does not', () => {
    expect(press(['s']).state.confirmStop).toBe(running.id);
    expect(press(['s', 'y']).effect).toEqual({ kind: 'stop', id: running.id });
    const no = press(['s', 'n']);
    expect(no.effect).toBeNull();
    expect(no.state.message).toBe('not stopped');
    expect(press(['s', 'q']).effect).toBeNull();
  });

  it('an ended run is not offered for stopping', () => {
    const result = press([KEYS.down, KEYS.down, 's']);
    expect(result.state.confirmStop).toBeNull();
    expect(result.state.message).toBe(`${ended.id} has already ended`);
  });

  it('l asks for the selected run\'s logs and closes them; q and Ctrl-C quit', () => {
    expect(press([KEYS.down, 'l']).effect).toEqual({ kind: 'logs', id: queued.id });
    expect(press(['l'], { ...INITIAL_STATE, logs: { id: running.id, lines: [] } }).state.logs).toBeNull();
    expect(press(['q']).effect).toEqual({ kind: 'quit' });
    expect(press([KEYS.ctrlC]).effect).toEqual({ kind: 'quit' });
  });

  it('raw input splits into keys, arrows whole', () => {
    expect(splitKeys('\x1b[A\x1b[Bls')).toEqual([KEYS.up, KEYS.down, 'l', 's']);
  });
});

describe('measuring', () => {
  const sample = (atMs: number, ticks: [string, number][]): TreeSample => ({ atMs, cpuTicks: new Map(ticks), pids: [], rssBytes: 0, peakRssBytes: 0, lifetimeCpuPercent: 42 });

  it('CPU between two readings: 100 = one core; a process new since the first counts whole, an ended one not at all', () => {
    expect(cpuPercentBetween(sample(0, [['10:1', 500]]), sample(2000, [['10:1', 700]]))).toBe(100);
    expect(cpuPercentBetween(sample(0, [['10:1', 500], ['11:1', 50]]), sample(1000, [['10:1', 600], ['12:9', 150]]))).toBe(250);
    // The same pid with another start time is another process.
    expect(cpuPercentBetween(sample(0, [['10:1', 500]]), sample(1000, [['10:2', 30]]))).toBe(30);
    expect(cpuPercentBetween(sample(5, []), sample(5, []))).toBe(42);
  });

  it('reads CPU ticks after a command name with spaces and parentheses, and kB lines of status', () => {
    const stat = '4242 (python3 (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 56 0 0 20 0 1 0 987654 12345678 2000 18446744073709551615';
    expect(parseCpuTicks(stat)).toBe(1290);
    const status = 'Name:\tpython3\nVmHWM:\t  314572 kB\nVmRSS:\t  307200 kB\n';
    expect(statusBytes(status, 'VmRSS')).toBe(307200 * 1024);
    expect(statusBytes(status, 'VmHWM')).toBe(314572 * 1024);
    expect(statusBytes('Name:\tkthreadd\n', 'VmRSS')).toBe(0);
  });

  it('sparkline: lowest to highest, flat as a middle bar, gaps for NaN', () => {
    expect(sparkline([0, 7])).toBe('▁█');
    expect(sparkline([3, 3])).toBe('▄▄');
    expect(sparkline([1, Number.NaN, 2])).toBe('▁ █');
    expect(sparkline([])).toBe('');
  });
});

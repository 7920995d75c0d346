import { formatValue } from '../format/numbers.js';
import { formatCpu, formatEta, formatGpus, formatMem, formatRate, formatStep, sparkline } from '../resources/cells.js';
import { colourStatus } from '../format/status.js';
import { renderTable } from '../format/table.js';
import type { RunState } from '../registry/record.js';
import type { RunResources } from '../resources/measure.js';
import type { Progress } from '../resources/progress.js';

/**
 * `rl-run top`'s screen, computed from plain data: what the runs are doing (TopData) and what the
 * user is doing (TopState). Pure; top.ts reads the data, feeds keys in and writes frames out.
 */
export interface TopRun {
  id: string;
  state: RunState;
  /** Why a queued or pending run waits, why a lost one was lost. */
  reason?: string;
  /** "3h 05m" so far, or the whole run's for an ended one. */
  duration: string;
  /** Ended runs: "0", "1", "SIGKILL". */
  exit?: string;
  /** Ended runs: "12m ago". */
  endedAgo?: string;
  progress: Progress | null;
  resources: RunResources | null;
}

export interface TopData {
  /** Running, starting, pending and queued runs. */
  active: TopRun[];
  /** The most recently ended, newest first. */
  ended: TopRun[];
  now: Date;
}

export interface TopState {
  /** Index into active followed by ended. */
  selected: number;
  /** The selected run's last log lines, while `l` shows them. */
  logs: { id: string; lines: string[] } | null;
  /** A question waiting for y/n: the run to stop. */
  confirmStop: string | null;
  /** One line of news: "stopping …", "stopped …", an error. */
  message: string | null;
}

export const INITIAL_STATE: TopState = { selected: 0, logs: null, confirmStop: null, message: null };

export type TopEffect = { kind: 'quit' } | { kind: 'stop'; id: string } | { kind: 'logs'; id: string } | null;

/** Keys as the terminal sends them in raw mode. */
export const KEYS = { up: '\x1b[A', down: '\x1b[B', ctrlC: '\x03', escape: '\x1b' } as const;

/** Pure: the state after a key, and what top.ts must do about it. */
export function pressKey(state: TopState, key: string, data: TopData): { state: TopState; effect: TopEffect } {
  const rows = [...data.active, ...data.ended];
  const selectedRun = rows[Math.min(state.selected, rows.length - 1)];
  if (key === KEYS.ctrlC) return { state, effect: { kind: 'quit' } };
  if (state.confirmStop) {
    const id = state.confirmStop;
    if (key === 'y' || key === 'Y') return { state: { ...state, confirmStop: null, message: `stopping ${id}…` }, effect: { kind: 'stop', id } };
    return { state: { ...state, confirmStop: null, message: 'not stopped' }, effect: null };
  }
  switch (key) {
    case 'q':
      return { state, effect: { kind: 'quit' } };
    case KEYS.up:
    case 'k':
      return { state: { ...state, selected: Math.max(0, state.selected - 1), logs: null }, effect: null };
    case KEYS.down:
    case 'j':
      return { state: { ...state, selected: Math.min(Math.max(0, rows.length - 1), state.selected + 1), logs: null }, effect: null };
    case 'l':
      if (state.logs) return { state: { ...state, logs: null }, effect: null };
      return selectedRun ? { state, effect: { kind: 'logs', id: selectedRun.id } } : { state, effect: null };
    case KEYS.escape:
      return { state: { ...state, logs: null, message: null }, effect: null };
    case 's':
      if (!selectedRun) return { state, effect: null };
      if (!data.active.includes(selectedRun)) return { state: { ...state, message: `${selectedRun.id} has already ended` }, effect: null };
      return { state: { ...state, confirmStop: selectedRun.id, message: null }, effect: null };
    default:
      return { state, effect: null };
  }
}

const SPARK_WIDTH = 16;

function activeRow(run: TopRun, colour: boolean): string[] {
  const p = run.progress;
  const total = p?.total ? `/${formatStep(p.total)}` : '';
  const metric = p?.main ? `${p.main.name} ${formatValue(p.main.last)}` : '';
  return [
    run.id,
    colourStatus(run.state, colour) + (run.reason ? ` (${run.reason})` : ''),
    run.duration,
    p?.step !== null && p?.step !== undefined ? `${formatStep(p.step)}${total}` : '',
    formatRate(p),
    formatEta(p),
    metric,
    p?.main ? sparkline(p.main.recent.slice(-SPARK_WIDTH)) : '',
    formatCpu(run.resources ?? undefined),
    formatMem(run.resources ?? undefined),
    formatGpus(run.resources ?? undefined),
  ];
}

const ACTIVE_HEADER = ['ID', 'STATUS', 'TIME', 'STEP', 'STEPS/S', 'ETA', 'METRIC', 'TREND', 'CPU', 'MEM', 'GPU'];
const ENDED_HEADER = ['ID', 'STATUS', 'TIME', 'EXIT', 'ENDED'];

/** Pure: the lines of one frame, each at most `width` visible characters, `height` lines in all. */
export function renderFrame(data: TopData, state: TopState, size: { width: number; height: number }, colour = false): string[] {
  const rows = [...data.active, ...data.ended];
  const selected = Math.min(state.selected, rows.length - 1);
  const lines: string[] = [];
  lines.push(`rl-run top — ${data.active.length} active, ${data.ended.length} recently ended — ${data.now.toLocaleTimeString()}`);
  lines.push('');
  const mark = (text: string, index: number) => {
    const marked = `${index === selected ? '>' : ' '} ${text}`;
    return index === selected && colour ? `\x1b[7m${marked}\x1b[0m` : marked;
  };
  if (data.active.length) {
    const table = renderTable(ACTIVE_HEADER, data.active.map((run) => activeRow(run, colour))).split('\n');
    lines.push(`  ${table[0]}`);
    for (const [i, line] of table.slice(1).entries()) lines.push(mark(line, i));
  } else lines.push('  nothing running or queued');
  if (data.ended.length) {
    lines.push('');
    const table = renderTable(
      ENDED_HEADER,
      data.ended.map((run) => [run.id, colourStatus(run.state, colour) + (run.reason ? ` (${run.reason})` : ''), run.duration, run.exit ?? '', run.endedAgo ?? '']),
    ).split('\n');
    lines.push(`  ${table[0]}`);
    for (const [i, line] of table.slice(1).entries()) lines.push(mark(line, data.active.length + i));
  }
  if (state.logs) {
    lines.push('');
    lines.push(`── last lines of ${state.logs.id} (l closes) ──`);
    const room = Math.max(1, size.height - lines.length - 2);
    const shown = state.logs.lines.slice(-room);
    lines.push(...(shown.length ? shown : ['(no output yet)']));
  }
  const footer = state.confirmStop
    ? `stop ${state.confirmStop}? (y/n)`
    : (state.message ?? '') + (state.message ? '   ' : '') + '↑/↓ select  l logs  s stop  q quit';
  const body = lines.slice(0, Math.max(0, size.height - 2)).map((line) => clip(line, size.width));
  return [...body, ...Array(Math.max(0, size.height - 1 - body.length)).fill(''), clip(footer, size.width)];
}

/** Pure: the plain table `top` prints once when stdout is not a terminal. */
export function renderPlain(data: TopData): string {
  const parts: string[] = [];
  parts.push(data.active.length ? renderTable(ACTIVE_HEADER, data.active.map((run) => activeRow(run, false))) : 'nothing running or queued');
  if (data.ended.length) {
    parts.push('');
    parts.push(renderTable(ENDED_HEADER, data.ended.map((run) => [run.id, run.state + (run.reason ? ` (${run.reason})` : ''), run.duration, run.exit ?? '', run.endedAgo ?? ''])));
  }
  return parts.join('\n');
}

/** Cuts a line to `width` visible characters, keeping colour codes whole (and closing them). */
function clip(line: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < line.length; ) {
    const code = /^\x1b\[[0-9;]*m/.exec(line.slice(i));
    if (code) {
      out += code[0];
      i += code[0].length;
      continue;
    }
    if (visible === width) return `${out}${out.includes('\x1b[') ? '\x1b[0m' : ''}`;
    out += line[i];
    visible++;
    i++;
  }
  return out;
}

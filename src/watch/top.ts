import type { ResolvedConfig } from '../config/schema.js';
import { describeError } from '../errors.js';
import { readLastLines } from '../logs/tail.js';
import type { TreeSample } from '../process/resources.js';
import type { Registry, StoredRun } from '../registry/registry.js';
import { supervisorFor } from '../supervisor/index.js';
import { INITIAL_STATE, pressKey, renderFrame, renderPlain, type TopData, type TopEffect, type TopState } from './frame.js';
import { type Gathered, gatherTop } from './gather.js';

export interface TopOptions {
  intervalMs: number;
  /** Where the plain table goes when stdout is not a terminal. */
  print: (text: string) => void;
  colour: boolean;
}

interface Context {
  registry: Registry;
  config: ResolvedConfig;
}

const LOG_LINES = 200;

/**
 * `rl-run top`: a full-screen view redrawn every `intervalMs`, read from the registry, /proc and
 * the runs' metrics; keys select, show logs, stop, quit. Not on a terminal: the table once.
 */
export async function top(options: TopOptions, context: Context): Promise<void> {
  const { registry, config } = context;
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    const { data } = await gatherTop(registry, config);
    options.print(renderPlain(data));
    return;
  }
  const screen = new Screen();
  let state: TopState = INITIAL_STATE;
  let gathered: Gathered | null = null;
  let samples: Map<string, TreeSample> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const draw = () => {
    if (gathered) screen.draw(renderFrame(gathered.data, state, screen.size(), options.colour));
  };
  const refresh = async () => {
    try {
      gathered = await gatherTop(registry, config, samples);
      samples = gathered.samples;
      const rows = gathered.data.active.length + gathered.data.ended.length;
      if (state.selected >= rows) state = { ...state, selected: Math.max(0, rows - 1) };
      if (state.logs) state = { ...state, logs: { id: state.logs.id, lines: logLines(gathered.runs.get(state.logs.id)) } };
    } catch (error) {
      state = { ...state, message: `cannot read the runs: ${describeError(error)}` };
    }
    draw();
  };
  const act = (effect: TopEffect, data: TopData) => {
    if (!effect) return;
    if (effect.kind === 'quit') return finish();
    const run = gathered?.runs.get(effect.id);
    if (effect.kind === 'logs') {
      state = { ...state, logs: { id: effect.id, lines: logLines(run) } };
      return;
    }
    if (run && data.active.some((r) => r.id === effect.id)) {
      void stopRun(context, run).then(
        (message) => {
          state = { ...state, message };
          void refresh();
        },
        (error: unknown) => {
          state = { ...state, message: `cannot stop ${effect.id}: ${describeError(error)}` };
          draw();
        },
      );
    }
  };
  const onKey = (key: string) => {
    if (!gathered) return key === 'q' || key === '\x03' ? finish() : undefined;
    const result = pressKey(state, key, gathered.data);
    state = result.state;
    act(result.effect, gathered.data);
    draw();
  };
  screen.open(onKey, draw);
  try {
    await refresh();
    const tick = () => {
      timer = setTimeout(() => void refresh().then(tick), options.intervalMs);
    };
    tick();
    await done;
  } finally {
    clearTimeout(timer);
    screen.close();
  }
}

/**
 * The stop `rl-run stop` makes: the run's backend asks its script to end (SIGINT), and kills what
 * is left after the run's grace period. Its report is one line in the footer rather than on stdout.
 */
async function stopRun(context: Context, run: StoredRun): Promise<string> {
  const supervisor = await supervisorFor(run.record.backend, context.registry);
  const outcome = await supervisor.stop(run, run.record.stopTimeoutMs ?? context.config.stop.timeoutMs);
  if (outcome === 'already-ended') return `${run.record.id} had already ended`;
  return outcome === 'killed' ? `stopped ${run.record.id} (killed after the grace period)` : `stopped ${run.record.id}`;
}

/** stdout.log's last lines, then stderr.log's (where Python's logging and tracebacks go). */
function logLines(run: StoredRun | undefined): string[] {
  if (!run) return [];
  const read = (file: string) => {
    try {
      return readLastLines(file, LOG_LINES);
    } catch (error) {
      return [`(${describeError(error)})`];
    }
  };
  const stderr = read(run.layout.stderr);
  return [...read(run.layout.stdout), ...(stderr.length ? ['── stderr ──', ...stderr] : [])];
}

/** The terminal: the alternate screen, raw keys, frames drawn in place. */
class Screen {
  private onData: ((chunk: Buffer) => void) | null = null;
  private onResize: (() => void) | null = null;

  size(): { width: number; height: number } {
    return { width: process.stdout.columns || 80, height: process.stdout.rows || 24 };
  }

  open(onKey: (key: string) => void, onResize: () => void): void {
    process.stdout.write('\x1b[?1049h\x1b[?25l');
    process.stdin.setRawMode(true);
    this.onData = (chunk) => {
      for (const key of splitKeys(chunk.toString('utf8'))) onKey(key);
    };
    this.onResize = onResize;
    process.stdin.on('data', this.onData);
    process.stdin.resume();
    process.stdout.on('resize', onResize);
  }

  draw(lines: string[]): void {
    process.stdout.write(`\x1b[H${lines.map((line) => `${line}\x1b[K`).join('\r\n')}\x1b[J`);
  }

  close(): void {
    if (this.onData) process.stdin.off('data', this.onData);
    if (this.onResize) process.stdout.off('resize', this.onResize);
    process.stdin.setRawMode(false);
    process.stdin.pause();
    process.stdout.write('\x1b[?25h\x1b[?1049l');
  }
}

/** Raw input can hold several keys at once: arrows are three bytes, the rest one character each. */
export function splitKeys(input: string): string[] {
  const keys: string[] = [];
  for (let i = 0; i < input.length; ) {
    const arrow = /^\x1b\[[A-D]/.exec(input.slice(i));
    const key = arrow ? arrow[0] : input[i]!;
    keys.push(key);
    i += key.length;
  }
  return keys;
}

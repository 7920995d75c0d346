import type { ChildProcess } from 'node:child_process';
import { parseDuration, type ResolvedWatchdog, watchdogOfRecord } from '../config/watching.js';
import { findMetricFiles } from '../metrics/discover.js';
import { compilePatterns } from '../metrics/stdout-pairs.js';
import { StdoutExtractor } from '../metrics/stdout-extractor.js';
import { watchdogNotice } from '../notify/message.js';
import { sendEndNotice, sendNotice } from '../notify/notice.js';
import type { RunEvent, RunRecord } from '../registry/record.js';
import { type RunLayout, requestStop } from '../registry/run-dir/index.js';
import { AppendedLines, FileSizes, firstLine } from '../watchdog/appended.js';
import { FileRows, rowKind } from '../watchdog/file-rows.js';
import { NanDetector } from '../watchdog/nan.js';
import { StallDetector } from '../watchdog/stall.js';
import type { AttemptEnd, Decision } from './outcome.js';
import { decideAfterWatchdogEnd } from './watchdog-end.js';

/** Looks once a second: a NaN is seen well within 5 s of its line being written. */
const POLL_MS = 1_000;
/** How often the run directory is walked again for metric files the script has since created. */
const DISCOVER_MS = 10_000;
/** Series points the watchdog's extractors keep: it needs the values as they come, not the history. */
const KEPT_POINTS = 16;

export interface WatchHooks {
  /** The script of the attempt under way; null between attempts. */
  script(): ChildProcess | null;
  /** Carries out a stop request now (the runner's StopWatch). */
  checkStop(): void;
  /** SIGKILL to whatever is left of the run. */
  kill(): void;
  log(message: string): void;
}

/**
 * The runner's watchdog: reads what the script appends to its logs (stdout and stderr, through the
 * metrics extractor) and watches its metric files grow, flags a non-finite metric value and a stall
 * (watchdog/nan.ts, watchdog/stall.ts), records each in the run's events, has it notified, and acts:
 * `stop` as `rl-run stop` does, `resume` by ending the attempt for the restart policy to continue.
 */
export class RunWatch {
  private readonly timer: NodeJS.Timeout;
  private readonly outputs: { lines: AppendedLines; extractor: StdoutExtractor }[];
  private readonly files = new FileSizes();
  /** Metric files whose appended rows are looked at for NaN, by path. */
  private readonly tables = new Map<string, { lines: AppendedLines; rows: FileRows }>();
  private discoveries = 0;
  private current: ChildProcess | null = null;
  private nan = new NanDetector();
  private stall: StallDetector;
  private readonly stallMs: number | null;
  private nextDiscovery = 0;
  private discovering = false;
  /** The event that ended the attempt under way (action resume), for the decision after it. */
  private ended: RunEvent | null = null;

  /** `runDir`: the run directory's path, for the notices' deliverer; `layout`: the runner's, on its pinned directory. */
  static start(runDir: string, layout: RunLayout, record: RunRecord, hooks: WatchHooks): RunWatch | null {
    const settings = watchdogOfRecord(record.config);
    return settings ? new RunWatch(runDir, layout, record, settings, hooks) : null;
  }

  private constructor(
    private readonly runDir: string,
    private readonly layout: RunLayout,
    private readonly record: RunRecord,
    private readonly settings: ResolvedWatchdog,
    private readonly hooks: WatchHooks,
  ) {
    this.stallMs = settings.stall === false || settings.stall === 'auto' ? null : parseDuration(settings.stall);
    this.stall = new StallDetector(this.stallMs, Date.now());
    const metrics = record.config.metrics as { patterns?: string[] } | undefined;
    const { compiled } = compilePatterns(Array.isArray(metrics?.patterns) ? metrics.patterns : []);
    this.outputs = [layout.stdout, layout.stderr].map((file) => {
      const extractor = new StdoutExtractor(file, compiled, KEPT_POINTS);
      extractor.onRecord = (names, values, step) => this.onMetrics(names, values, step);
      return { lines: new AppendedLines(file), extractor };
    });
    this.timer = setInterval(() => this.look(), POLL_MS);
    this.timer.unref();
  }

  /** The decision after an attempt the watchdog ended; null for any other (decideAfterAttempt decides). */
  decide(end: AttemptEnd, attempt: number, maxRestarts: number): Decision | null {
    const event = this.ended;
    this.ended = null;
    return event ? decideAfterWatchdogEnd(end, event, attempt, maxRestarts, new Date()) : null;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private look(): void {
    try {
      const now = Date.now();
      const script = this.hooks.script();
      if (script !== this.current) {
        // A new attempt starts afresh: its own warm-up, its own first NaN.
        this.current = script;
        this.nan = new NanDetector();
        this.stall = new StallDetector(this.stallMs, now);
      }
      let active = false;
      for (const { lines, extractor } of this.outputs) {
        if (lines.poll((buf, end) => extractor.bytes(buf, 0, end))) active = true;
      }
      if (this.files.poll()) active = true;
      for (const { lines, rows } of this.tables.values()) {
        lines.poll((buf, end) => {
          for (const line of buf.toString('utf8', 0, end).split('\n')) {
            const detail = rows.line(line);
            if (detail && this.current && this.settings.nan) {
              const first = this.nan.found(detail);
              if (first) this.fire('nan', first);
            }
          }
        });
      }
      if (active) this.stall.activity(now);
      this.discover(now);
      if (script && this.settings.stall !== false && !this.ended) {
        const stall = this.stall.check(now);
        if (stall) this.fire('stall', `no new output or metric step for ${Math.round(stall.silentMs / 1000)} s (limit ${Math.round(stall.limitMs / 1000)} s)`);
      }
    } catch (error) {
      this.hooks.log(`watchdog: ${(error as Error).message}`);
    }
  }

  private onMetrics(names: readonly string[], values: readonly number[], step: number | undefined): void {
    if (!this.current) return;
    this.stall.metric(Date.now());
    if (!this.settings.nan) return;
    for (let i = 0; i < names.length; i++) {
      const detail = this.nan.point(names[i]!, values[i]!, step);
      if (detail) this.fire('nan', detail);
    }
  }

  private discover(now: number): void {
    if (this.discovering || now < this.nextDiscovery) return;
    this.discovering = true;
    this.nextDiscovery = now + DISCOVER_MS;
    const files = (this.record.config.metrics as { files?: string[] } | undefined)?.files;
    findMetricFiles(this.layout.dir, Array.isArray(files) ? files : [])
      .then((found) => {
        this.files.follow(found);
        // Files there at the first look may be an earlier runner's: only what is appended is read.
        // Files that appeared since are this runner's script's, and read whole.
        const fromStart = this.discoveries++ > 0;
        for (const file of found) {
          const kind = rowKind(file);
          if (!kind || this.tables.has(file)) continue;
          const header = kind === 'table' && !fromStart ? firstLine(file) : null;
          this.tables.set(file, { lines: new AppendedLines(file, fromStart), rows: new FileRows(kind, header) });
        }
      })
      .catch(() => {})
      .finally(() => {
        this.discovering = false;
      });
  }

  private fire(kind: 'nan' | 'stall', detail: string): void {
    const event: RunEvent = { at: new Date().toISOString(), kind, detail };
    const { action } = this.settings;
    this.hooks.log(`watchdog: ${kind}: ${detail}; action: ${action}`);
    try {
      sendNotice(this.layout.dir, watchdogNotice(event), {
        name: this.record.id,
        runDir: this.runDir,
        alsoChange: (record) => ({ ...record, events: [...(record.events ?? []), event] }),
      });
    } catch (error) {
      this.hooks.log(`watchdog: cannot record the event: ${(error as Error).message}`);
    }
    if (action === 'stop') {
      requestStop(this.layout, this.record.stopTimeoutMs);
      this.hooks.checkStop();
    } else if (action === 'resume' && this.current && !this.ended) {
      this.ended = event;
      this.endAttempt(this.current);
    }
  }

  /** SIGINT, as a stop would (the script may save a checkpoint), and SIGKILL at the stop timeout if it is still there. */
  private endAttempt(script: ChildProcess): void {
    script.kill('SIGINT');
    setTimeout(() => {
      if (this.hooks.script() === script) this.hooks.kill();
    }, this.record.stopTimeoutMs).unref();
  }
}

/** The run's end notified if its config asks; a notice that cannot be sent never changes the end recorded. */
export function notifyEnd(runDir: string, layout: RunLayout, record: RunRecord, log: (message: string) => void): void {
  try {
    sendEndNotice(layout.dir, record, { name: record.id, runDir });
  } catch (error) {
    log(`notify: ${(error as Error).message}`);
  }
}

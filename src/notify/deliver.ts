/**
 * The deliverer: a detached process that sends one notice already claimed in the record
 * (notice.ts), so that the runner and `ls` never wait on it. Its own failures go to runner.log and
 * nowhere else: a notice that cannot be sent never changes how the run is recorded.
 *
 * Usage (by notice.ts only): node notify/deliver.js <runDir> <noticeKey>
 */
import path from 'node:path';
import { notifyOfRecord } from '../config/watching.js';
import { readLastLines } from '../logs/tail.js';
import { readRunMetrics, SUMMARIES_ONLY } from '../metrics/read-run.js';
import { layoutOfDir, readRecordIn } from '../registry/run-dir/index.js';
import { appendNoFollow } from '../registry/safe-fs.js';
import { commandEnv, noticeOfKey, webhookBody } from './message.js';
import { postJson, runShell, withRetries } from './send.js';

const TAIL_LINES = 20;
const METRICS_TIME_LIMIT_MS = 5_000;

async function lastMetrics(dir: string, stdout: string, config: Record<string, unknown>): Promise<Record<string, number>> {
  const metrics = config.metrics as { files?: string[]; patterns?: string[] } | undefined;
  const read = readRunMetrics(dir, stdout, { maxPoints: SUMMARIES_ONLY, ...(metrics?.files ? { files: metrics.files } : {}), ...(metrics?.patterns ? { patterns: metrics.patterns } : {}) });
  const limit = new Promise<null>((resolve) => setTimeout(() => resolve(null), METRICS_TIME_LIMIT_MS).unref());
  const result = await Promise.race([read, limit]).catch(() => null);
  if (!result) return {};
  // A NaN or Inf has no JSON form: JSON.stringify sends it as null.
  return Object.fromEntries([...result.series].map(([name, series]) => [name, series.summary.last]));
}

async function deliver(dir: string, key: string): Promise<void> {
  const layout = layoutOfDir(dir);
  const log = (line: string) => {
    try {
      appendNoFollow(layout.runnerLog, `[rl-run notify ${new Date().toISOString()}] ${line}\n`);
    } catch {
      // nowhere left to say it
    }
  };
  const read = readRecordIn(dir, path.basename(dir));
  if (!read.ok) return log(`cannot read the record to send ${key}: ${read.reason}`);
  const record = read.record;
  const notice = noticeOfKey(record, key);
  const notify = notifyOfRecord(record.config);
  if (!notice || !notify) return log(`nothing to send for ${key}: the record no longer has it`);
  const sends: Promise<boolean>[] = [];
  if (notify.command) {
    const command = notify.command;
    sends.push(withRetries(`command for ${key}`, () => runShell(command, commandEnv(record, dir, notice), dir), log));
  }
  if (notify.webhook) {
    const url = notify.webhook;
    let tail: string[] = [];
    try {
      tail = readLastLines(layout.stderr, TAIL_LINES);
    } catch {
      // a stderr.log that is not a regular file is not read
    }
    const body = webhookBody(record, dir, notice, await lastMetrics(dir, layout.stdout, record.config), tail, new Date());
    sends.push(withRetries(`webhook for ${key}`, () => postJson(url, body), log));
  }
  const results = await Promise.all(sends);
  if (results.every(Boolean)) log(`notify: sent ${key}`);
}

const [dir, key] = process.argv.slice(2);
if (dir && key) {
  deliver(path.resolve(dir), key).catch(() => {
    process.exitCode = 1;
  });
}

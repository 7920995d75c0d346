import type { Argv, CommandModule } from 'yargs';
import { colourStatus, exitSummary, runDuration } from '../format/status.js';
import { ago } from '../format/time.js';
import { eventLines } from '../format/events.js';
import { readLastLines } from '../logs/tail.js';
import { type RunRecord, statusFields } from '../registry/record.js';
import { UnsafeFileError } from '../registry/safe-fs.js';
import { backendOf } from '../supervisor/index.js';
import { shellQuote } from '../format/shell.js';
import { attemptLines } from '../format/attempts.js';
import { type GlobalArgs, openContext, out } from './context.js';
import { liveRows, showLive } from './show-live.js';

interface ShowArgs extends GlobalArgs {
  run: string;
  json?: boolean;
}

export const showCommand: CommandModule<GlobalArgs, ShowArgs> = {
  command: 'show <run>',
  describe: 'Show a run: its record, paths, and why it failed',
  builder: (yargs: Argv<GlobalArgs>) =>
    yargs
      .positional('run', { type: 'string', demandOption: true, describe: 'id, id prefix, name, latest or latest~N' })
      .option('json', { type: 'boolean', describe: 'Print the record and its directory as JSON' })
      .example('$0 show latest', 'the newest run')
      .example('$0 show ppo --json', 'the latest run named ppo, as JSON'),
  handler: async (argv) => {
    await show(argv.run, Boolean(argv.json), argv);
  },
};

export async function show(selector: string, json: boolean, globals: GlobalArgs): Promise<void> {
  const { config, registry } = await openContext(globals);
  const run = registry.resolve(selector);
  const { record, layout } = run;
  const live = await showLive(run, config);
  if (json) {
    out.json({ ...record, dir: layout.dir, ...(live.resources ? { resources: live.resources, progress: live.progress } : {}), ...(live.peakRssBytes ? { peakRssBytes: live.peakRssBytes } : {}) });
    return;
  }
  const fields = statusFields(record.status);
  const rows: [string, string | undefined][] = [
    ['id', record.id],
    ['name', record.name],
    ['status', `${colourStatus(fields.status, out.colour)}${fields.reason ? ` (${fields.reason})` : ''}`],
    ['exit', exitSummary(record) || undefined],
    ['started', record.startedAt ? `${record.startedAt} (${ago(record.startedAt)})` : undefined],
    ['ended', fields.endedAt],
    ['duration', runDuration(record) || undefined],
    ['command', record.command.map(shellQuote).join(' ')],
    ['cwd', record.cwd],
    ['tags', record.tags.join(', ') || undefined],
    ['env', Object.entries(record.env).map(([k, v]) => `${k}=${v}`).join(' ') || undefined],
    ['backend', backendOf(record.backend).describe(record)],
    ['node', record.status.state === 'running' ? record.status.node : undefined],
    ['pid', record.pid ? String(record.pid) : undefined],
    ['gpus', record.gpus ? (record.gpus.length ? record.gpus.join(',') : 'none (CUDA_VISIBLE_DEVICES empty)') : record.queue?.gpus ? `asks for ${record.queue.gpus}` : undefined],
    ['queue', record.queue ? queueLine(record.queue) : undefined],
    ['host', `${record.user}@${record.hostname}`],
    ['git', record.git ? `${record.git.commit.slice(0, 12)}${record.git.branch ? ` (${record.git.branch})` : ''}${record.git.dirty ? ', dirty: see git.diff' : ''}` : undefined],
    ...liveRows(live),
    ['attempts', record.attempts.length > 1 ? String(record.attempts.length) : undefined],
    ['restart of', record.restartOf],
    ['dir', layout.dir],
    ['stdout', layout.stdout],
    ['stderr', layout.stderr],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [key, value] of rows) if (value !== undefined) out.line(`${key.padEnd(width)}  ${value}`);
  const events = eventLines(record);
  if (events.length) {
    out.line('');
    out.line('events:');
    for (const line of events) out.line(`  ${line}`);
  }
  if (record.attempts.length > 1) {
    out.line('');
    for (const line of attemptLines(record.attempts, layout.dir)) out.line(line);
  }
  if (record.status.state === 'failed' || record.status.state === 'lost') {
    const tail = stderrTail(layout.stderr);
    if (tail.length) {
      out.line('');
      out.line('last lines of stderr:');
      for (const line of tail) out.line(`  ${line}`);
    }
  }
}

/** The last lines of stderr; a symlink or special file there is named in one warning, not read. */
function stderrTail(file: string): string[] {
  try {
    return readLastLines(file, 10);
  } catch (error) {
    if (!(error instanceof UnsafeFileError)) throw error;
    out.warn(error.message);
    return [];
  }
}

/** `priority 2, after ppo-…`: what the run asked of the queue, when it asked anything. */
function queueLine(queue: NonNullable<RunRecord['queue']>): string | undefined {
  const parts = [...(queue.priority !== 0 ? [`priority ${queue.priority}`] : []), ...(queue.after.length ? [`after ${queue.after.join(', ')}`] : [])];
  return parts.length ? parts.join(', ') : undefined;
}

import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import { colourStatus, exitSummary, runDuration } from '../format/status.js';
import { renderTable } from '../format/table.js';
import { eventFlag } from '../format/events.js';
import { ago } from '../format/time.js';
import { RUN_STATES, type RunRecord, type RunState } from '../registry/record.js';
import { listFilter } from '../registry/run-filter.js';
import { slurmResumable } from '../resume/plan.js';
import { resolveSweep } from '../registry/sweep-dir.js';
import { cellLabel } from '../sweep/spec.js';
import { backendOf } from '../supervisor/index.js';
import { type GlobalArgs, listFlag, openContext, out } from './context.js';
import { wholeNumber } from './flags.js';
import { liveColumns, liveJson } from './ls-live.js';
import { showTrash } from './restore.js';
import { queueOrderOf } from '../queue/positions.js';

interface LsArgs extends GlobalArgs {
  status?: string[];
  name?: string;
  tag?: string[];
  sweep?: string;
  limit?: number;
  json?: boolean;
  trash?: boolean;
}

export interface ListOptions {
  statuses: RunState[];
  name?: string;
  tags: string[];
  /** A sweep selector (id, prefix, name, latest). */
  sweep?: string;
  limit?: number;
  json: boolean;
}

export const lsCommand: CommandModule<GlobalArgs, LsArgs> = {
  command: 'ls',
  aliases: ['list'],
  describe: 'List runs, newest first',
  builder: (yargs: Argv<GlobalArgs>) =>
    yargs
      .option('status', { type: 'string', array: true, describe: `Only runs in this state (${RUN_STATES.join(', ')})` })
      .option('name', { type: 'string', describe: 'Only runs with this name' })
      .option('tag', { type: 'string', array: true, describe: 'Only runs with this tag (all given tags)' })
      .option('sweep', { type: 'string', describe: 'Only the runs of this sweep (id, prefix, name, latest)' })
      .option('limit', { type: 'string', coerce: wholeNumber('limit', 1), describe: 'At most this many runs' })
      .option('json', { type: 'boolean', describe: 'Print the records as a JSON array' })
      .option('trash', { type: 'boolean', describe: "List the runs in the trash instead ('rl-run restore <run>' brings one back)" })
      .example('$0 ls --status running', 'what is running now')
      .example('$0 ls --name ppo --limit 5', 'the last five ppo runs'),
  handler: async (argv) => {
    if (argv.trash) return showTrash(Boolean(argv.json), argv);
    await list(
      {
        statuses: parseStatuses(listFlag(argv.status)),
        tags: listFlag(argv.tag),
        json: Boolean(argv.json),
        ...(argv.name !== undefined ? { name: argv.name } : {}),
        ...(argv.sweep !== undefined ? { sweep: argv.sweep } : {}),
        ...(argv.limit !== undefined ? { limit: argv.limit } : {}),
      },
      argv,
    );
  },
};

export function parseStatuses(values: string[]): RunState[] {
  for (const value of values) {
    if (!RUN_STATES.includes(value as RunState)) {
      throw new UsageError(`--status ${value}: expected one of ${RUN_STATES.join(', ')}`);
    }
  }
  return values as RunState[];
}

export async function list(options: ListOptions, globals: GlobalArgs): Promise<void> {
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 1)) {
    throw new UsageError(`--limit ${options.limit}: expected a whole number >= 1`);
  }
  const { config, registry } = await openContext(globals);
  const sweep = options.sweep !== undefined ? resolveSweep(registry.runsDir, options.sweep) : undefined;
  const listed = () =>
    registry.list({
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      ...listFilter({ ...options, sweep }),
    });
  let { runs, damaged } = listed();
  // Loaded only when some listed run is due for its next job: ls stays light otherwise.
  const due = runs.filter(({ record }) => !backendOf(record.backend).local && slurmResumable(record));
  const requeued = due.length ? await (await import('../launch/requeue.js')).requeueEnded(registry, due) : [];
  for (const { id, outcome, problem } of requeued) {
    if (outcome) out.warn(`${id} hit its time limit or was preempted: submitted attempt ${outcome.attempt}, from ${outcome.checkpoint} (slurm.requeue)`);
    else if (problem && !problem.startsWith('not resuming')) out.warn(`${id}: could not submit its next attempt: ${problem}`);
  }
  if (requeued.some((r) => r.outcome)) ({ runs, damaged } = listed());
  if (damaged.length) {
    out.warn(`${damaged.length} damaged run ${damaged.length === 1 ? 'directory' : 'directories'} skipped: ${damaged.map((d) => `${d.id} (${d.reason})`).join(', ')}; 'rl-run clean --orphaned' tidies them`);
  }
  if (options.json) {
    const live = await liveJson(runs, config);
    out.json(runs.map(({ record, layout }) => ({ ...record, dir: layout.dir, ...live.get(record.id) })));
    return;
  }
  if (runs.length === 0) {
    out.line(`no runs in ${registry.runsDir}${options.statuses.length || options.name || options.tags.length || sweep ? ' match' : ''}; start one with 'rl-run start <script>'`);
    return;
  }
  const now = new Date();
  // Where a run executes matters once some run is on a cluster: the job, its node or why it waits.
  const where = runs.some(({ record }) => backendOf(record.backend).where !== null);
  const { columns: live } = await liveColumns(runs);
  // A sweep's runs differ only in their cell: show it once some listed run has one.
  const cells = runs.some(({ record }) => record.sweep !== undefined);
  // A GPU column once some listed run went through a GPU pool; a queued run shows its place.
  const gpus = runs.some(({ record }) => record.gpus !== undefined || (record.queue?.gpus ?? 0) > 0);
  const order = runs.some(({ record }) => record.status.state === 'queued') ? queueOrderOf(registry.runsDir) : [];
  out.line(
    renderTable(
      ['ID', 'STATUS', 'STARTED', 'DURATION', 'EXIT', ...(gpus ? ['GPUS'] : []), ...(where ? ['WHERE'] : []), ...live.header, ...(cells ? ['CELL'] : []), 'TAGS'],
      runs.map(({ record }) => [
        record.id,
        colourStatus(record.status.state, out.colour) + queueNote(record, order) + eventFlag(record),
        ago(record.startedAt ?? record.createdAt, now),
        runDuration(record, now),
        exitSummary(record),
        ...(gpus ? [gpuCell(record)] : []),
        ...(where ? [whereOf(record)] : []),
        ...live.cells(record.id),
        ...(cells ? [record.sweep ? cellLabel(record.sweep.cell) : ''] : []),
        record.tags.join(','),
      ]),
    ),
  );
}

/** ` #2` for the second run in the queue; '' for any other. */
function queueNote(record: RunRecord, order: readonly string[]): string {
  if (record.status.state !== 'queued') return '';
  const position = order.indexOf(record.id) + 1;
  return position > 0 ? ` #${position}` : '';
}

/** The GPUs a run was given ('0,1'; '-' for none from a pool), or what a queued one asks for ('wants 2'). */
function gpuCell(record: RunRecord): string {
  if (record.gpus !== undefined) return record.gpus.length ? record.gpus.join(',') : '-';
  const asked = record.queue?.gpus ?? 0;
  return record.status.state === 'queued' && asked > 0 ? `wants ${asked}` : '';
}

/** The backend's own account ("slurm 123 on node7"), or just its name ("pm2"). */
function whereOf(record: RunRecord): string {
  return backendOf(record.backend).where?.(record) ?? record.backend;
}

import { createInterface } from 'node:readline/promises';
import type { Argv, CommandModule } from 'yargs';
import { executePlan } from '../clean/execute.js';
import { gatherOrphanFacts, gatherRetentionRuns, pm2Entries } from '../clean/facts.js';
import { planOrphans, withPm2EntriesOfTrashed } from '../clean/orphans.js';
import { type CleanAction, type CleanPlan, actionTarget, bytesFreed, emptyPlan, mergePlans } from '../clean/plan.js';
import { planPurge } from '../clean/purge.js';
import { type RetentionOptions, hasRetentionCriteria, planRetention } from '../clean/retention.js';
import { parseAge, parseSize } from '../clean/units.js';
import { formatBytes } from '../format/numbers.js';
import { UsageError } from '../errors.js';
import { backendOf } from '../supervisor/index.js';
import { renderTable } from '../format/table.js';
import { parseTimeout } from '../format/time.js';
import { ENDED_STATES, type RunState } from '../registry/record.js';
import { diskUsage } from '../registry/safety.js';
import { resolveSweep } from '../registry/sweep-dir.js';
import { listTrash } from '../registry/trash.js';
import { type GlobalArgs, listFlag, openContext, out } from './context.js';
import { wholeNumber } from './flags.js';

interface CleanArgs extends GlobalArgs {
  orphaned?: boolean;
  purge?: boolean;
  status?: string[];
  olderThan?: string;
  keepLast?: number;
  name?: string;
  tag?: string[];
  sweep?: string;
  largerThan?: string;
  dryRun?: boolean;
  yes?: boolean;
  timeout?: string;
  json?: boolean;
}

export interface CleanOptions {
  orphaned: boolean;
  purge: boolean;
  retention: RetentionOptions;
  dryRun: boolean;
  yes: boolean;
  graceMs: number;
  json: boolean;
}

export const cleanCommand: CommandModule<GlobalArgs, CleanArgs> = {
  command: 'clean',
  describe: 'Tidy orphans, move old runs to the trash, or empty the trash',
  builder: (yargs: Argv<GlobalArgs>) =>
    yargs
      .option('orphaned', { type: 'boolean', describe: 'pm2 entries and log files of ended runs, damaged run directories, left-over processes, records stuck in running' })
      .option('status', { type: 'string', array: true, describe: `Runs in this state (${ENDED_STATES.join(', ')}); repeatable` })
      .option('older-than', { type: 'string', describe: 'Runs that ended longer ago than this: 12h, 14d, 2w (with --purge: deleted longer ago)' })
      .option('keep-last', { type: 'string', coerce: wholeNumber('keep-last', 1), describe: 'Keep the N newest runs of each run name (counted per name, not in all)' })
      .option('name', { type: 'string', describe: 'Runs with this name' })
      .option('tag', { type: 'string', array: true, describe: 'Runs with this tag (all given tags)' })
      .option('sweep', { type: 'string', describe: 'Runs of this sweep (id, prefix, name, latest)' })
      .option('larger-than', { type: 'string', describe: 'Runs using more disk than this: 500M, 1G' })
      .option('purge', { type: 'boolean', describe: 'Remove runs from the trash for good' })
      .option('dry-run', { type: 'boolean', describe: 'Print the plan and change nothing' })
      .option('yes', { alias: 'y', type: 'boolean', describe: 'Carry out the plan without asking (needed without a terminal)' })
      .option('timeout', { type: 'string', describe: 'Grace between SIGTERM and SIGKILL for left-over processes (default 10s)' })
      .option('json', { type: 'boolean', describe: 'Print the plan (and what was done) as JSON' })
      .example('$0 clean --orphaned --dry-run', 'what is left over, and why')
      .example('$0 clean --status failed --older-than 14d --yes', 'failed runs that ended over two weeks ago, to the trash')
      .example('$0 clean --keep-last 5', 'all but the five newest runs of each name')
      .example('$0 clean --purge --older-than 7d', 'empty what has been in the trash for a week'),
  handler: async (argv) => {
    await clean(cleanOptions(argv), argv);
  },
};

/** argv → options, with every value checked here and nowhere else. */
export function cleanOptions(argv: CleanArgs): CleanOptions {
  const statuses = listFlag(argv.status);
  for (const status of statuses) {
    if (!ENDED_STATES.includes(status as RunState)) {
      throw new UsageError(`--status ${status}: expected one of ${ENDED_STATES.join(', ')} (a run that has not ended is never deleted)`);
    }
  }
  const olderThanMs = argv.olderThan === undefined ? undefined : parseAge(argv.olderThan);
  if (olderThanMs === null) throw new UsageError(`--older-than ${argv.olderThan}: expected a duration such as 12h, 14d or 2w`);
  const largerThanBytes = argv.largerThan === undefined ? undefined : parseSize(argv.largerThan);
  if (largerThanBytes === null) throw new UsageError(`--larger-than ${argv.largerThan}: expected a size such as 500M or 1G`);
  // 0 would mean "every ended run"; say that with --status instead.
  if (argv.keepLast !== undefined && (!Number.isInteger(argv.keepLast) || argv.keepLast < 1)) {
    throw new UsageError(`--keep-last ${argv.keepLast}: expected a whole number >= 1`);
  }
  const graceMs = argv.timeout === undefined ? 10_000 : parseTimeout(argv.timeout);
  if (graceMs === null) throw new UsageError(`--timeout ${argv.timeout}: expected a duration such as 10s or 500ms`);
  const retention: RetentionOptions = {
    statuses: statuses as RunState[],
    tags: listFlag(argv.tag),
    ...(olderThanMs !== undefined ? { olderThanMs } : {}),
    ...(argv.keepLast !== undefined ? { keepLast: argv.keepLast } : {}),
    ...(argv.name !== undefined ? { name: argv.name } : {}),
    ...(argv.sweep !== undefined ? { sweep: argv.sweep } : {}),
    ...(largerThanBytes !== undefined ? { largerThanBytes } : {}),
  };
  const purge = Boolean(argv.purge);
  if (purge && (statuses.length || retention.tags.length || argv.keepLast !== undefined || argv.name !== undefined || argv.sweep !== undefined || largerThanBytes !== undefined)) {
    throw new UsageError('--purge takes only --older-than (how long a run has been in the trash); clean the registry and purge in two commands');
  }
  return { orphaned: Boolean(argv.orphaned), purge, retention, dryRun: Boolean(argv.dryRun), yes: Boolean(argv.yes), graceMs, json: Boolean(argv.json) };
}

export async function clean(options: CleanOptions, globals: GlobalArgs): Promise<void> {
  if (!options.orphaned && !options.purge && !hasRetentionCriteria(options.retention)) {
    throw new UsageError("say what to clean: --orphaned, --status failed, --older-than 14d, --keep-last 5, … or --purge (see 'rl-run clean --help')");
  }
  const { registry } = await openContext(globals);
  const now = new Date();
  const plans: CleanPlan[] = [];
  if (options.purge) {
    const entries = listTrash(registry.runsDir).map((e) => ({ id: e.id, deletedAt: e.deletedAt, bytes: diskUsage(e.dir) }));
    plans.push(planPurge(entries, options.retention.olderThanMs, now));
  } else {
    if (options.orphaned) plans.push(planOrphans(await gatherOrphanFacts(registry, now)));
    if (hasRetentionCriteria(options.retention)) {
      const sweep = options.retention.sweep !== undefined ? resolveSweep(registry.runsDir, options.retention.sweep) : undefined;
      const retention = planRetention(gatherRetentionRuns(registry), { ...options.retention, ...(sweep ? { sweep } : {}) }, now);
      plans.push(withPm2EntriesOfTrashed(retention, (await pm2Entries()) ?? [], registry.runsDir));
    }
  }
  const plan = plans.length ? mergePlans(...plans) : emptyPlan();

  if (!options.json) printPlan(plan, options.retention.keepLast);
  if (plan.actions.length === 0 || options.dryRun) {
    if (options.json) out.json({ ...planJson(plan), dryRun: options.dryRun, done: [] });
    else out.line(plan.actions.length === 0 ? 'nothing to clean' : 'dry run: nothing was changed');
    return;
  }
  if (!options.yes && !(await confirm(plan))) {
    if (options.json) out.json({ ...planJson(plan), dryRun: false, done: [] });
    else out.line('nothing was changed');
    return;
  }
  const { done } = await executePlan(plan, registry, { graceMs: options.graceMs, now });
  if (options.json) out.json({ ...planJson(plan), dryRun: false, done });
  else out.line(summary(done));
}

const ACTION_LABEL: Record<Exclude<CleanAction['kind'], 'remove-orphan'>, string> = {
  trash: 'to trash',
  purge: 'purge',
  'pm2-delete': 'pm2 delete',
  'remove-log': 'remove log',
  'remove-unfinished': 'remove',
  kill: 'kill',
  'mark-lost': 'mark lost',
};

function printPlan(plan: CleanPlan, keepLast: number | undefined): void {
  const rows = [
    ...plan.actions.map((a) => [a.kind === 'remove-orphan' ? backendOf(a.backend).removeVerb : ACTION_LABEL[a.kind], actionTarget(a), 'bytes' in a ? formatBytes(a.bytes) : '-', a.reason]),
    ...plan.refused.map((r) => ['refused', r.target, '-', r.reason]),
    ...plan.kept.map((k) => ['keep', k.id, '-', k.reason]),
  ];
  if (rows.length === 0) return;
  out.line(renderTable(['ACTION', 'TARGET', 'SIZE', 'REASON'], rows));
  out.line(`total: ${plan.actions.length} ${plan.actions.length === 1 ? 'action' : 'actions'}, ${formatBytes(bytesFreed(plan))}`);
  if (keepLast !== undefined) out.line(`--keep-last ${keepLast} counts per run name: the ${keepLast} newest runs of each name stay, not ${keepLast} runs in all`);
}

function planJson(plan: CleanPlan): Record<string, unknown> {
  return { actions: plan.actions, refused: plan.refused, kept: plan.kept, totalBytes: bytesFreed(plan) };
}

async function confirm(plan: CleanPlan): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new UsageError('not asking without a terminal: add --yes to carry out this plan, or --dry-run to only print it');
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`carry out these ${plan.actions.length} actions? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** What was done, and the space: freed now (purge, logs) and moved to the trash (freed by a purge). */
export function summary(done: readonly CleanAction[]): string {
  const count = (kind: CleanAction['kind']) => done.filter((a) => a.kind === kind);
  const bytes = (actions: CleanAction[]) => actions.reduce((sum, a) => sum + ('bytes' in a ? a.bytes : 0), 0);
  const parts: string[] = [];
  const trashed = count('trash');
  const purged = count('purge');
  const logs = count('remove-log');
  if (trashed.length) parts.push(`moved ${trashed.length} to the trash (${formatBytes(bytes(trashed))}, freed by 'rl-run clean --purge'; 'rl-run restore <run>' brings one back)`);
  if (purged.length) parts.push(`purged ${purged.length} from the trash`);
  const unfinished = count('remove-unfinished');
  if (unfinished.length) parts.push(`removed ${unfinished.length} ${unfinished.length === 1 ? 'start' : 'starts'} cut short`);
  if (logs.length) parts.push(`removed ${logs.length} pm2 log ${logs.length === 1 ? 'file' : 'files'}`);
  if (count('pm2-delete').length) parts.push(`deleted ${count('pm2-delete').length} pm2 ${count('pm2-delete').length === 1 ? 'entry' : 'entries'}`);
  const removed = count('remove-orphan');
  if (removed.length) parts.push(`removed ${removed.length} ${removed.length === 1 ? 'job' : 'jobs'} of ended runs from their backend`);
  if (count('kill').length) parts.push(`ended ${count('kill').length} left-over ${count('kill').length === 1 ? 'process' : 'processes'}`);
  if (count('mark-lost').length) parts.push(`marked ${count('mark-lost').length} lost`);
  return `${parts.join('; ')}; freed ${formatBytes(bytes([...purged, ...logs, ...unfinished]))}`;
}

import { hostname } from 'node:os';
import type { Argv, CommandModule } from 'yargs';
import { describeError } from '../errors.js';
import { type ResumeOutcome, planResume, startResume } from '../launch/resume.js';
import { bootId, bootTimeMs } from '../process/index.js';
import type { StoredRun } from '../registry/registry.js';
import { decideResurrect } from '../resume/plan.js';
import { backendOf } from '../supervisor/index.js';
import { describeResume } from './resume.js';
import { type GlobalArgs, openContext, out } from './context.js';

interface ResurrectArgs extends GlobalArgs {
  'dry-run'?: boolean;
  json?: boolean;
}

interface Row {
  id: string;
  action: 'resumed' | 'would resume' | 'left alone' | 'failed';
  why: string;
  attempt?: number;
  checkpoint?: string | null;
  scratchReason?: string | null;
}

export const resurrectCommand: CommandModule<GlobalArgs, ResurrectArgs> = {
  command: 'resurrect',
  describe: 'After a reboot or pm2 kill: resume every run the machine or its supervisor took down, each from its newest checkpoint',
  builder: (yargs: Argv<GlobalArgs>) =>
    yargs
      .option('dry-run', { type: 'boolean', describe: 'Say what would be resumed and what left alone; change nothing' })
      .option('json', { type: 'boolean', describe: 'Print [{id, action, why, attempt, checkpoint}] as JSON' })
      .example('$0 resurrect --dry-run', 'what a reboot took, and what stays as it is'),
  handler: async (argv) => {
    const dryRun = Boolean(argv['dry-run']);
    const { registry } = await openContext(argv);
    const facts = { host: hostname(), bootId: bootId(), bootTimeMs: bootTimeMs() };
    const rows: Row[] = [];
    const chosen: { run: StoredRun; why: string }[] = [];
    for (const run of registry.list().runs.reverse()) {
      const decision = decideResurrect(run.record, facts, backendOf(run.record.backend).local);
      if (!decision) continue;
      if (decision.action === 'leave') rows.push({ id: run.record.id, action: 'left alone', why: decision.why });
      else chosen.push({ run, why: decision.why });
    }
    // Each plan may wait 2 s to be sure of a checkpoint: all at once, then every start, then every wait.
    const plans = await Promise.all(chosen.map(({ run }) => planResume(run, { requireCheckpoint: false }).catch((error: unknown) => error)));
    const waits: { index: number; wait: () => Promise<ResumeOutcome> }[] = [];
    const failed = (id: string, error: unknown) => {
      rows.push({ id, action: 'failed', why: describeError(error) });
      process.exitCode = 1;
    };
    for (const [index, { run, why }] of chosen.entries()) {
      const planned = plans[index];
      if (planned instanceof Error || planned === undefined) {
        failed(run.record.id, planned);
        continue;
      }
      const plan = planned as ResumeOutcome;
      if (dryRun) {
        rows.push({ id: run.record.id, action: 'would resume', why, attempt: plan.attempt, checkpoint: plan.checkpoint, scratchReason: plan.scratchReason });
        continue;
      }
      try {
        waits.push({ index, wait: await startResume(registry, run, plan) });
      } catch (error) {
        failed(run.record.id, error);
      }
    }
    for (const { index, wait } of waits) {
      const { run, why } = chosen[index]!;
      try {
        const outcome = await wait();
        rows.push({ id: run.record.id, action: 'resumed', why, attempt: outcome.attempt, checkpoint: outcome.checkpoint, scratchReason: outcome.scratchReason });
      } catch (error) {
        failed(run.record.id, error);
      }
    }
    if (argv.json) {
      out.json(rows);
      return;
    }
    for (const row of rows) {
      if (row.action === 'resumed' || row.action === 'would resume') {
        const outcome = { id: row.id, attempt: row.attempt ?? 0, checkpoint: row.checkpoint ?? null, scratchReason: row.scratchReason ?? null };
        out.line(`${describeResume(outcome, row.action === 'would resume')} (${row.why})`);
      } else if (row.action === 'failed') out.line(`could not resume ${row.id}: ${row.why}`);
    }
    for (const row of rows) if (row.action === 'left alone') out.line(`left alone ${row.id}: ${row.why}`);
    if (rows.length === 0) out.line('nothing to resurrect: no run was taken down');
  },
};

import { hostname } from 'node:os';
import type { Argv, CommandModule } from 'yargs';
import { describeError } from '../errors.js';
import { bootId, bootTimeMs } from '../process/index.js';
import { resumeRun } from '../launch/resume.js';
import { backendOf } from '../supervisor/index.js';
import { decideResurrect } from '../resume/plan.js';
import { describeResume } from './resume.js';
import { type GlobalArgs, openContext, out } from './context.js';

interface ResurrectArgs extends GlobalArgs {
  'dry-run'?: boolean;
  json?: boolean;
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
    const rows: { id: string; action: 'resumed' | 'would resume' | 'left alone' | 'failed'; why: string; attempt?: number; checkpoint?: string | null }[] = [];
    for (const run of registry.list().runs.reverse()) {
      const decision = decideResurrect(run.record, facts, backendOf(run.record.backend).local);
      if (!decision) continue;
      if (decision.action === 'leave') {
        rows.push({ id: run.record.id, action: 'left alone', why: decision.why });
        continue;
      }
      try {
        const outcome = await resumeRun(registry, run, { requireCheckpoint: false, dryRun });
        rows.push({ id: run.record.id, action: dryRun ? 'would resume' : 'resumed', why: decision.why, attempt: outcome.attempt, checkpoint: outcome.checkpoint });
        if (!argv.json) out.line(`${describeResume(outcome, dryRun)} (${decision.why})`);
      } catch (error) {
        rows.push({ id: run.record.id, action: 'failed', why: describeError(error) });
        if (!argv.json) out.line(`could not resume ${run.record.id}: ${describeError(error)}`);
        process.exitCode = 1;
      }
    }
    if (argv.json) {
      out.json(rows);
      return;
    }
    for (const row of rows) if (row.action === 'left alone') out.line(`left alone ${row.id}: ${row.why}`);
    if (rows.length === 0) out.line('nothing to resurrect: no run was taken down');
  },
};

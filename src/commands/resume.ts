import type { Argv, CommandModule } from 'yargs';
import { type ResumeOutcome, resumeRun } from '../launch/resume.js';
import { cliCommand } from '../format/invocation.js';
import { type GlobalArgs, openContext, out } from './context.js';

interface ResumeArgs extends GlobalArgs {
  run: string;
  'require-checkpoint'?: boolean;
  'dry-run'?: boolean;
  json?: boolean;
}

export const resumeCommand: CommandModule<GlobalArgs, ResumeArgs> = {
  command: 'resume <run>',
  describe: 'Continue an ended run (stopped, failed, lost) as its next attempt, from its newest checkpoint: same id, directory and logs',
  builder: (yargs: Argv<GlobalArgs>) =>
    yargs
      .positional('run', { type: 'string', demandOption: true, describe: 'The run to continue' })
      .option('require-checkpoint', { type: 'boolean', describe: 'Refuse instead of starting from scratch when no checkpoint is found' })
      .option('dry-run', { type: 'boolean', describe: 'Say what would be resumed from, and change nothing' })
      .option('json', { type: 'boolean', describe: 'Print {id, attempt, checkpoint} as JSON' })
      .example('$0 resume ppo', 'the latest run named ppo, from its newest checkpoint')
      .example('$0 resume latest --require-checkpoint', 'only if a checkpoint exists'),
  handler: async (argv) => {
    const { registry } = await openContext(argv);
    const run = registry.resolve(argv.run);
    const outcome = await resumeRun(registry, run, { requireCheckpoint: Boolean(argv['require-checkpoint']), dryRun: Boolean(argv['dry-run']) });
    if (argv.json) out.json(outcome);
    else out.line(describeResume(outcome, Boolean(argv['dry-run'])));
    if (!argv.json && !argv['dry-run']) out.line(`  follow: ${cliCommand()} logs ${outcome.id} -f`);
  },
};

export function describeResume(outcome: ResumeOutcome, dryRun: boolean): string {
  const verb = dryRun ? 'would resume' : 'resumed';
  const from = outcome.checkpoint ? `from ${outcome.checkpoint}` : `from scratch: ${outcome.scratchReason}`;
  return `${verb} ${outcome.id} as attempt ${outcome.attempt}, ${from}`;
}

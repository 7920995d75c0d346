import type { Argv, CommandModule } from 'yargs';
import { formatBytes } from '../format/numbers.js';
import { renderTable } from '../format/table.js';
import { ago } from '../format/time.js';
import { readRecordIn } from '../registry/run-dir/index.js';
import { diskUsage } from '../registry/safety.js';
import { findInTrash, listTrash, restoreFromTrash } from '../registry/trash.js';
import { type GlobalArgs, openContext, out } from './context.js';

interface RestoreArgs extends GlobalArgs {
  runs: string[];
}

export const restoreCommand: CommandModule<GlobalArgs, RestoreArgs> = {
  command: 'restore <runs..>',
  describe: 'Bring runs back from the trash, as they were',
  builder: (yargs: Argv<GlobalArgs>) =>
    yargs
      .positional('runs', { type: 'string', array: true, demandOption: true, describe: 'Runs in the trash (id, prefix, or name for its latest deletion)' })
      .example('$0 restore ppo-20250101-120000-abc123', 'one run back into the registry')
      .example('$0 ls --trash', 'what the trash holds'),
  handler: async (argv) => {
    await restore(argv.runs.map(String), argv);
  },
};

export async function restore(selectors: string[], globals: GlobalArgs): Promise<void> {
  const { registry } = await openContext(globals);
  // Resolve all first, so a typo restores nothing.
  const entries = selectors.map((selector) => findInTrash(registry.runsDir, selector));
  for (const entry of entries) {
    restoreFromTrash(registry.runsDir, entry.id);
    out.line(`restored ${entry.id}`);
  }
}

/** `rl-run ls --trash`: what is in the trash, most recently deleted first. */
export async function showTrash(json: boolean, globals: GlobalArgs): Promise<void> {
  const { registry } = await openContext(globals);
  const rows = listTrash(registry.runsDir).map((entry) => {
    const read = readRecordIn(entry.dir);
    return { ...entry, status: read.ok ? read.record.status.state : 'damaged', bytes: diskUsage(entry.dir) };
  });
  if (json) {
    out.json(rows);
    return;
  }
  if (rows.length === 0) {
    out.line('the trash is empty');
    return;
  }
  const now = new Date();
  out.line(renderTable(['ID', 'STATUS', 'DELETED', 'SIZE', 'REASON'], rows.map((r) => [r.id, r.status, ago(r.deletedAt, now), formatBytes(r.bytes), r.reason])));
  out.line(`total: ${rows.length} in the trash, ${formatBytes(rows.reduce((s, r) => s + r.bytes, 0))}; 'rl-run restore <run>' brings one back, 'rl-run clean --purge' frees the space`);
}

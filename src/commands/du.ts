import type { Argv, CommandModule } from 'yargs';
import { formatBytes } from '../format/numbers.js';
import { renderTable } from '../format/table.js';
import { diskUsage } from '../registry/safety.js';
import { listTrash } from '../registry/trash.js';
import { type GlobalArgs, openContext, out } from './context.js';

interface DuArgs extends GlobalArgs {
  json?: boolean;
}

export const duCommand: CommandModule<GlobalArgs, DuArgs> = {
  command: 'du',
  describe: 'Disk use per run, largest first, and the total',
  builder: (yargs: Argv<GlobalArgs>) =>
    yargs.option('json', { type: 'boolean', describe: 'Print {runs, damaged, trash, total} as JSON' }).example('$0 du', 'which runs take the space'),
  handler: async (argv) => {
    await du(Boolean(argv.json), argv);
  },
};

export async function du(json: boolean, globals: GlobalArgs): Promise<void> {
  const { registry } = await openContext(globals);
  const { runs, damaged } = registry.list();
  const rows = [
    ...runs.map(({ record, layout }) => ({ id: record.id, status: record.status.state as string, bytes: diskUsage(layout.dir) })),
    ...damaged.map((d) => ({ id: d.id, status: 'damaged', bytes: diskUsage(d.dir) })),
  ].sort((a, b) => b.bytes - a.bytes || (a.id < b.id ? -1 : 1));
  const trash = listTrash(registry.runsDir).reduce((sum, entry) => sum + diskUsage(entry.dir), 0);
  const runsTotal = rows.reduce((sum, row) => sum + row.bytes, 0);
  if (json) {
    out.json({ runs: rows, trash, total: runsTotal + trash });
    return;
  }
  if (rows.length) out.line(renderTable(['ID', 'STATUS', 'SIZE'], rows.map((r) => [r.id, r.status, formatBytes(r.bytes)])));
  out.line(`total: ${formatBytes(runsTotal)} in ${rows.length} ${rows.length === 1 ? 'run' : 'runs'}; trash: ${formatBytes(trash)}; all: ${formatBytes(runsTotal + trash)}`);
}

import type { Backend } from '../types.js';
import { PM2_NAME_PREFIX, pm2NameFor } from './names.js';
import { observePm2 } from './observe.js';

/** pm2 on this machine: a run is the pm2 process `rlrun-<id>` running our runner. */
export const pm2Backend: Backend = {
  name: 'pm2',
  local: true,
  async supervisor(registry) {
    const { Pm2Supervisor } = await import('./supervisor.js');
    return new Pm2Supervisor(registry);
  },
  handleAtCreate: (id) => ({ pm2Name: pm2NameFor(id) }),
  handle: (record) => (record.pm2Name ? { pm2Name: record.pm2Name } : {}),
  observe(record) {
    const status = observePm2(record);
    return status ? { status } : null;
  },
  describe: (record) => `pm2 (${record.pm2Name})`,
  startedNote: () => '',
  where: null,
  removeVerb: 'pm2 delete',
  usesQueue: true,
  async listOrphans() {
    const { listRlRunEntries, pm2DaemonRunning } = await import('./orphans.js');
    // Connecting would start a daemon, and an absent daemon lists nothing anyway.
    if (!pm2DaemonRunning()) return null;
    return (await listRlRunEntries()).map((entry) => ({
      handle: entry.name,
      runId: entry.name.slice(PM2_NAME_PREFIX.length),
      runDir: entry.runDir,
      live: entry.online,
    }));
  },
  async removeOrphans(handles) {
    const { deleteEntries } = await import('./orphans.js');
    await deleteEntries(handles);
  },
};

import type { Backend } from '../registry/record.js';
import type { Registry } from '../registry/registry.js';
import type { Supervisor } from './types.js';

/** The supervisor for a backend, loaded only when a command needs one. */
export async function supervisorFor(backend: Backend, registry: Registry): Promise<Supervisor> {
  switch (backend) {
    case 'pm2': {
      const { Pm2Supervisor } = await import('./pm2/supervisor.js');
      return new Pm2Supervisor(registry);
    }
    case 'slurm': {
      const { SlurmSupervisor } = await import('./slurm/supervisor.js');
      return new SlurmSupervisor(registry);
    }
    default:
      throw new Error(`backend '${backend}' is not available in this version of rl-run`);
  }
}

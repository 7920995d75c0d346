import type { Backend as BackendName, RunRecord, RunStatus } from '../registry/record.js';
import type { Observation, Registry } from '../registry/registry.js';
import { pm2Backend } from './pm2/backend.js';
import { slurmBackend } from './slurm/backend.js';
import type { Backend, Supervisor } from './types.js';

/** The one table of backends: every command reaches a backend through it. */
export const BACKENDS: Readonly<Record<BackendName, Backend>> = {
  pm2: pm2Backend,
  slurm: slurmBackend,
};

export function backendOf(name: BackendName): Backend {
  const backend = BACKENDS[name] as Backend | undefined;
  if (!backend) throw new Error(`backend '${name}' is not available in this version of rl-run`);
  return backend;
}

/** The supervisor for a backend, loaded only when a command needs one. */
export function supervisorFor(backend: BackendName, registry: Registry): Promise<Supervisor> {
  return backendOf(backend).supervisor(registry);
}

/** The observer of the record's backend; null for a backend this version does not know. */
export function observeRecord(record: RunRecord): Observation | null {
  return (BACKENDS[record.backend] as Backend | undefined)?.observe(record) ?? null;
}

/** Only the status part of `observeRecord`. */
export function observeStatus(record: RunRecord): RunStatus | null {
  return observeRecord(record)?.status ?? null;
}

/**
 * A run's backend handles for --json output: `pm2Name` always (null off pm2, as documented), and
 * the record's own backend's handle (`slurmJobId`) where it has one.
 */
export function handlesJson(record: RunRecord): Record<string, string | null> {
  return { pm2Name: record.pm2Name ?? null, ...(BACKENDS[record.backend] as Backend | undefined)?.handle(record) };
}

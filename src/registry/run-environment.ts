import type { StoredRun } from './registry.js';

/**
 * The script's whole environment: `base` (the environment rl-run was called from), the run's own
 * variables, its identity, and its GPUs when a pool placed it (none: empty, so it cannot take GPU 0).
 */
export function runEnvironment(base: Record<string, string>, run: StoredRun): Record<string, string> {
  const { record, layout } = run;
  return {
    ...base,
    ...record.env,
    RL_RUN_ID: record.id,
    RL_RUN_DIR: layout.dir,
    RL_RUN_NAME: record.name,
    // Python holds output back in 4-8 KB blocks when it writes to a file.
    PYTHONUNBUFFERED: '1',
    ...(record.gpus ? { CUDA_VISIBLE_DEVICES: record.gpus.join(',') } : {}),
  };
}

export function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

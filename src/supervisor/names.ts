/** What every backend names a run by (pm2's process name, SLURM's job name): the prefix, then the run id. */
export const RUN_NAME_PREFIX = 'rlrun-';

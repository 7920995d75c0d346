import { PRESERVED_PREFIX } from '../supervisor/pm2/names.js';

/**
 * pm2 adds its own bookkeeping to the environment of what it starts (pm_id, PM2_HOME, unique_id,
 * and the app's options as variables). The script gets the environment rl-run was started from,
 * without them.
 */
const PM2_KEYS = new Set([
  'pm_id',
  'name',
  'namespace',
  'unique_id',
  'vizion_running',
  'km_link',
  'NODE_APP_INSTANCE',
  'PM2_HOME',
  'PM2_JSON_PROCESSING',
  'PM2_USAGE',
  'PM2_INTERACTOR_PROCESSING',
  'PM2_PROGRAMMATIC',
  'PM2_DISCRETE_MODE',
  'status',
  'restart_time',
  'unstable_restarts',
  'created_at',
  'pm_uptime',
  'axm_actions',
  'axm_monitor',
  'axm_options',
  'axm_dynamic',
  'versioning',
  'version',
  'node_version',
  'exit_code',
  'instances',
  'exec_mode',
  'exec_interpreter',
  'autorestart',
  'autostart',
  'treekill',
  'kill_timeout',
  'kill_retry_time',
  'windowsHide',
  'username',
  'merge_logs',
  'vizion',
  'filter_env',
  'automation',
  'pmx',
  'instance_var',
  'args',
  'env',
  'time',
  'cwd',
  'max_restarts',
  'min_uptime',
]);

/** Names of variables the launcher passes through untouched even though pm2 uses the same names. */
export { PRESERVED_PREFIX };

export function scriptEnvironment(runnerEnv: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(runnerEnv)) {
    if (value === undefined) continue;
    // pm2 also sets a variable named after the process itself.
    if (/^(pm_|PM2_|axm_|rlrun-)/.test(key) || PM2_KEYS.has(key)) continue;
    env[key] = value;
  }
  for (const [key, value] of Object.entries(runnerEnv)) {
    if (key.startsWith(PRESERVED_PREFIX) && value !== undefined) env[key.slice(PRESERVED_PREFIX.length)] = value;
  }
  for (const key of Object.keys(env)) if (key.startsWith(PRESERVED_PREFIX)) delete env[key];
  return env;
}

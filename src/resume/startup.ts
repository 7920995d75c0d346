import path from 'node:path';

/**
 * The boot hook that runs `rl-run resurrect` after a reboot, as text: a systemd user unit (with
 * one ExecStart per runs directory) or an `@reboot` crontab line. Pure; startup-install.ts writes it.
 */
export const UNIT_NAME = 'rl-run-resurrect.service';
export const CRON_MARK = '# rl-run resurrect';
const DIR_MARK = '# rl-run runs directory: ';

export interface HookInput {
  /** The node binary and rl-run's cli.js, absolute. */
  node: string;
  cli: string;
  runsDirs: readonly string[];
  /** PATH at install time: a boot has a bare one, and the runs' interpreters are found through it. */
  pathEnv: string;
  pm2Home: string | null;
}

/** systemd reads ExecStart words in double quotes with C escapes; `%` is its specifier character. */
function unitWord(word: string): string {
  return `"${word.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('%', '%%')}"`;
}

function unitEnv(key: string, value: string): string {
  return `Environment=${unitWord(`${key}=${value}`)}`;
}

export function systemdUnit(input: HookInput): string {
  return [
    '# Written by rl-run startup: after a reboot, resumes the runs it took down (rl-run resurrect).',
    ...input.runsDirs.map((dir) => `${DIR_MARK}${dir}`),
    '[Unit]',
    'Description=rl-run: resume the runs a reboot took down',
    '',
    '[Service]',
    'Type=oneshot',
    // The pm2 daemon resurrect starts lives in this unit's cgroup: without it, systemd ends the daemon
    // (and every resumed run) as soon as resurrect exits.
    'RemainAfterExit=yes',
    unitEnv('PATH', input.pathEnv),
    ...(input.pm2Home ? [unitEnv('PM2_HOME', input.pm2Home)] : []),
    ...input.runsDirs.map((dir) => `ExecStart=${[input.node, input.cli, 'resurrect', '--runs-dir', dir].map(unitWord).join(' ')}`),
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

/** The runs directories a unit written by systemdUnit serves. */
export function runsDirsOfUnit(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(DIR_MARK))
    .map((line) => line.slice(DIR_MARK.length));
}

function cronWord(word: string): string {
  // cron turns an unescaped % into a newline.
  const quoted = /^[\w@+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
  return quoted.replaceAll('%', '\\%');
}

/** One `@reboot` line per runs directory, each ending with CRON_MARK so uninstall finds them. */
export function cronLines(input: HookInput): string[] {
  return input.runsDirs.map((dir) => {
    const env = [`PATH=${cronWord(input.pathEnv)}`, ...(input.pm2Home ? [`PM2_HOME=${cronWord(input.pm2Home)}`] : [])];
    const command = [input.node, input.cli, 'resurrect', '--runs-dir', dir].map(cronWord).join(' ');
    const logFile = cronWord(path.join(dir, '.resurrect.log'));
    return `@reboot ${env.join(' ')} ${command} >> ${logFile} 2>&1 ${cronMark(dir)}`;
  });
}

/** The comment that ends a runs directory's line; cron reads a % there too. */
function cronMark(dir: string): string {
  return `${CRON_MARK} ${dir.replaceAll('\n', ' ').replaceAll('%', '\\%')}`;
}

/** The crontab with this runs directory's line put in (install) or taken out (uninstall); other lines as they were. */
export function editCrontab(current: string, runsDir: string, line: string | null): string {
  const kept = current.split('\n').filter((l) => !l.endsWith(cronMark(runsDir)));
  while (kept.length && kept[kept.length - 1] === '') kept.pop();
  if (line) kept.push(line);
  return kept.length ? `${kept.join('\n')}\n` : '';
}

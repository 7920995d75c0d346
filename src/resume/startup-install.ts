import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { RuntimeError, describeError } from '../errors.js';
import { writeFileAtomic } from '../registry/atomic.js';
import { readSmallRegularFile, unlinkQuietly } from '../registry/safe-fs.js';
import { type HookInput, UNIT_NAME, cronLines, editCrontab, runsDirsOfUnit, systemdUnit } from './startup.js';

/**
 * Installs and removes the boot hook for the current user only: files under their own
 * XDG_CONFIG_HOME, or their own crontab through the `crontab` program.
 */
export function unitPaths(env: NodeJS.ProcessEnv = process.env): { unit: string; wants: string } {
  const config = env.XDG_CONFIG_HOME || path.join(env.HOME || homedir(), '.config');
  const dir = path.join(config, 'systemd', 'user');
  return { unit: path.join(dir, UNIT_NAME), wants: path.join(dir, 'default.target.wants', UNIT_NAME) };
}

export function hasSystemd(): boolean {
  return existsSync('/run/systemd/system');
}

/** The directories the installed unit serves; none when there is no unit (or only a link or a FIFO where it should be). */
function readUnitDirs(unit: string): string[] {
  const text = readSmallRegularFile(unit, 1024 * 1024);
  return text === null ? [] : runsDirsOfUnit(text);
}

/** Adds (or removes) this runs directory; returns the unit's path and the directories it now serves. */
export function editUnit(input: Omit<HookInput, 'runsDirs'>, runsDir: string, install: boolean, env: NodeJS.ProcessEnv = process.env): { unit: string; runsDirs: string[] } {
  const { unit, wants } = unitPaths(env);
  const dirs = readUnitDirs(unit).filter((dir) => dir !== runsDir);
  if (install) dirs.push(runsDir);
  if (dirs.length === 0) {
    for (const file of [wants, unit]) unlinkQuietly(file);
  } else {
    mkdirSync(path.dirname(wants), { recursive: true, mode: 0o700 });
    writeFileAtomic(unit, systemdUnit({ ...input, runsDirs: dirs }));
    // What `systemctl --user enable` makes.
    if (!existsSync(wants)) symlinkSync(path.join('..', UNIT_NAME), wants);
  }
  if (!env.RL_RUN_STARTUP_NO_SYSTEMCTL && hasSystemd()) {
    try {
      execFileSync('systemctl', ['--user', 'daemon-reload'], { stdio: 'ignore', timeout: 10_000 });
    } catch {
      // no user manager now (a shell without a session): it reads the unit when it starts
    }
  }
  return { unit, runsDirs: dirs };
}

export function editCron(input: Omit<HookInput, 'runsDirs'>, runsDir: string, install: boolean, env: NodeJS.ProcessEnv = process.env): string {
  const program = env.RL_RUN_CRONTAB || 'crontab';
  let current = '';
  try {
    current = execFileSync(program, ['-l'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    // `crontab -l` exits 1 with "no crontab for user" when there is none yet.
    const stderr = String((error as { stderr?: unknown }).stderr ?? '');
    if ((error as { code?: string }).code === 'ENOENT') throw new RuntimeError(`'${program}' is not installed: install cron, or use the systemd unit (rl-run startup --systemd)`);
    if (!/no crontab/i.test(stderr)) throw new RuntimeError(`cannot read the crontab: ${describeError(error)}`);
  }
  const [line] = cronLines({ ...input, runsDirs: [runsDir] });
  const next = editCrontab(current, runsDir, install ? line! : null);
  execFileSync(program, ['-'], { input: next, stdio: ['pipe', 'ignore', 'pipe'] });
  return next;
}

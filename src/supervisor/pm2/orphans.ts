import { lstatSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { RuntimeError, errorCode } from '../../errors.js';
import { isAlive } from '../../process/index.js';
import { isInside } from '../../registry/safety.js';
import { pm2Call, pm2Home, withPm2 } from './client.js';
import { PM2_NAME_PREFIX, PM2_NAMESPACE } from './names.js';

/** An entry of pm2's process list in the rl-run namespace. */
export interface Pm2Entry {
  name: string;
  online: boolean;
  /** The run directory our runner was started with (its only argument). */
  runDir: string | null;
}

interface Pm2Description {
  name?: string;
  pm2_env?: { namespace?: string; status?: string; args?: string[] | string };
}

/**
 * True when a pm2 daemon is up for PM2_HOME. Cleaning asks pm2 only then: connecting would start a
 * daemon, and an absent daemon lists nothing anyway.
 */
export function pm2DaemonRunning(home: string = pm2Home()): boolean {
  try {
    const pid = Number.parseInt(readFileSync(path.join(home, 'pm2.pid'), 'utf8'), 10);
    return Number.isFinite(pid) && pid > 0 && isAlive({ pid });
  } catch {
    return false;
  }
}

export async function listRlRunEntries(): Promise<Pm2Entry[]> {
  const list = await withPm2((pm2) => pm2Call<Pm2Description[]>((done) => pm2.list(done as never)));
  return list
    .filter((p) => p.pm2_env?.namespace === PM2_NAMESPACE && p.name?.startsWith(PM2_NAME_PREFIX))
    .map((p) => {
      const args = p.pm2_env?.args;
      const first = Array.isArray(args) ? args[0] : typeof args === 'string' ? args.split(' ')[0] : undefined;
      const status = p.pm2_env?.status ?? '';
      return { name: p.name!, online: ['online', 'launching', 'stopping', 'one-launch-status'].includes(status), runDir: first ? path.resolve(first) : null };
    });
}

export async function deleteEntries(names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  await withPm2(async (pm2) => {
    for (const name of names) await pm2Call((done) => pm2.delete(name, done as never));
  });
}

/** pm2's own log files (`<name>-out.log`, `<name>-error-3.log`, rotated `…__2024-01-01.log`) of rl-run names. */
const LOG_FILE = new RegExp(`^(${PM2_NAME_PREFIX}.+)-(?:out|error)(?:-\\d+)?(?:__.*)?\\.log$`);

export function pm2LogsDir(home: string = pm2Home()): string {
  return path.join(home, 'logs');
}

export function rlRunLogFiles(home: string = pm2Home()): { file: string; pm2Name: string; bytes: number }[] {
  const dir = pm2LogsDir(home);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const files: { file: string; pm2Name: string; bytes: number }[] = [];
  for (const name of names) {
    const match = LOG_FILE.exec(name);
    if (!match) continue;
    try {
      const stat = statSync(path.join(dir, name));
      if (stat.isFile()) files.push({ file: path.join(dir, name), pm2Name: match[1]!, bytes: stat.blocks * 512 });
    } catch {
      // gone meanwhile
    }
  }
  return files;
}

/** A pm2 log file, and only a regular file directly inside $PM2_HOME/logs. */
export function removeLogFile(file: string): void {
  const dir = pm2LogsDir();
  if (path.dirname(file) !== dir || !isInside(dir, file)) throw new RuntimeError(`refused to remove ${file}: not in ${dir}`);
  try {
    if (!lstatSync(file).isFile()) throw new RuntimeError(`refused to remove ${file}: not a regular file`);
    unlinkSync(file);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
}

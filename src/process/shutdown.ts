import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { envValue, hasEnvEntry } from './tree.js';
import { listPids, readCmdline, readEnviron } from './proc.js';

/**
 * Whether a signal that reached a runner came with its machine or supervisor going down, as far
 * as can be seen at that moment. pm2 kill sends the runners the same SIGINT as `pm2 stop`, and a
 * reboot the same SIGTERM as a shell's `kill`: the signal alone cannot tell a run the machine took
 * from one a user ended by hand (issue 14). Returns what was seen, or null.
 */
export function supervisorGoingDown(pm2Home: string, now = Date.now()): string | null {
  if (machineStopping()) return 'the machine is shutting down';
  if (pm2KillRunning(pm2Home)) return "'pm2 kill' is taking its daemon down";
  // pm2's daemon, signalled (systemd stopping it, a reboot), dumps its process list before it stops them.
  try {
    if (now - statSync(path.join(pm2Home, 'dump.pm2')).mtimeMs < DUMP_FRESH_MS) return 'the pm2 daemon was signalled and is exiting';
  } catch {
    // no dump: pm2 was not taken down that way
  }
  return null;
}

const DUMP_FRESH_MS = 5_000;

/** systemd says `stopping` from the moment a shutdown or reboot begins. */
function machineStopping(): boolean {
  try {
    return execFileSync('systemctl', ['is-system-running'], { encoding: 'utf8', timeout: 1_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim() === 'stopping';
  } catch (error) {
    // It exits non-zero for every state but `running`, with the state on stdout.
    const stdout = (error as { stdout?: unknown }).stdout;
    return typeof stdout === 'string' && stdout.trim() === 'stopping';
  }
}

/** A `pm2 kill` of this user, for the same PM2_HOME, is under way. */
function pm2KillRunning(pm2Home: string): boolean {
  const uid = process.getuid?.();
  for (const pid of listPids() ?? []) {
    if (pid === process.pid) continue;
    const argv = readCmdline(pid, 'utf8').split('\0');
    const at = argv.findIndex((arg) => /(^|\/)pm2$/.test(arg) || /pm2\/bin\/pm2$/.test(arg));
    if (at < 0 || !argv.slice(at + 1).includes('kill')) continue;
    try {
      if (uid !== undefined && statSync(`/proc/${pid}`).uid !== uid) continue;
    } catch {
      continue;
    }
    const environ = readEnviron(pid);
    const home = environ === null ? null : envValue(environ, 'PM2_HOME');
    if (home !== null ? hasEnvEntry(environ!, 'PM2_HOME', pm2Home) : pm2Home === defaultPm2Home()) return true;
  }
  return false;
}

function defaultPm2Home(): string {
  return path.join(process.env.HOME ?? '', '.pm2');
}

/** This boot's id: a run recorded under another one was running when the machine went down. */
export function bootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/** When this boot began, epoch ms (btime in /proc/stat). */
export function bootTimeMs(): number | null {
  try {
    const match = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    return match ? Number(match[1]) * 1000 : null;
  } catch {
    return null;
  }
}

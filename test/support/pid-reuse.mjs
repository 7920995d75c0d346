// A real pid reuse: as root, /proc/sys/kernel/ns_last_pid makes the kernel hand out a chosen pid
// next, so an unrelated process lands on the pid of one that died. Shared by vitest and the
// reliability suite.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * A process that notes in `log` every catchable signal it gets ("up" once its handlers are in
 * place) and keeps running: an uncatchable SIGKILL shows as its death.
 */
export const WITNESS_PY = [
  'import signal, sys, time',
  'log = sys.argv[1]',
  'def note(sig, _frame):',
  '    with open(log, "a") as f:',
  '        f.write(f"signal {sig}\\n")',
  'for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2, signal.SIGQUIT):',
  '    signal.signal(s, note)',
  'with open(log, "a") as f:',
  '    f.write("up\\n")',
  'while True:',
  '    time.sleep(1)',
  '',
].join('\n');

export function canReusePids() {
  try {
    writeFileSync('/proc/sys/kernel/ns_last_pid', readFileSync('/proc/sys/kernel/ns_last_pid', 'utf8').trim());
    return true;
  } catch {
    return false;
  }
}

/**
 * Spawns `command` so that it gets exactly `pid` (which must be free), retrying when another
 * process on the machine took it first. Returns the child, or null after `tries` misses.
 */
export async function spawnOnPid(pid, command, args, options = {}, tries = 100) {
  for (let i = 0; i < tries; i++) {
    if (existsSync(`/proc/${pid}`)) return null;
    writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 1));
    const child = spawn(command, args, { stdio: 'ignore', ...options });
    if (child.pid === pid) return child;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }
  return null;
}

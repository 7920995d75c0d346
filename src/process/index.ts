/**
 * The process adapter: the one owner of /proc, process identity (pid + start time), signals,
 * kill escalation and poll loops. Nothing outside src/process/ reads /proc or signals a process.
 */
export { type ProcessRef, isAlive, isSameProcess, isZombie, processRef, processStartTime, signalVerified, stillRunning } from './identity.js';
export { pollUntil, sleep } from './poll.js';
export { ownFdPath } from './proc.js';
export { killOwnChildGroup, signalAll, terminate } from './terminate.js';
export { currentUser } from './user.js';
export {
  type RunProcess,
  RUN_IDENTITY_VARIABLES,
  findProcessesOfRuns,
  findRunProcesses,
  envValue,
  hasEnvEntry,
  heldDirDeleted,
  isPm2DaemonProcess,
  looksLikePm2Daemon,
  runProcesses,
  withoutRunIdentity,
} from './tree.js';
export { bootId, bootTimeMs, supervisorGoingDown } from './shutdown.js';

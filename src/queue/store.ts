import { readdirSync } from 'node:fs';
import path from 'node:path';
import { RuntimeError, errorCode } from '../errors.js';
import { writeJsonAtomic } from '../registry/atomic.js';
import { holderText, lockIsStale, withLockFile } from '../registry/lock-holder.js';
import { createExclusive, ensurePrivateDir, readSmallRegularFile, unlinkQuietly } from '../registry/safe-fs.js';
import { checkEntryName } from '../registry/safety.js';
import type { QueueSettings } from './plan.js';

/**
 * The queue's own files, under <runsDir>/.queue (the registry skips dot-entries): the one owner of
 * their names. The run records stay the truth about each run; these only say which runs the queue
 * tracks (so a dispatch pass reads those records, not the whole registry), the limits a dispatcher
 * works to, and the environment a queued run is started with later.
 *
 *   settings.json   the limits, with the GPU pool as read when the last run was queued
 *   runs/<id>       one empty file per run the queue tracks: queued, or holding a slot
 *   env/<id>.json   the environment `start` was called with, for a run still queued
 *   lock            held for every dispatch decision (holder pid and start time; stale ones taken over)
 *   dispatcher      the live dispatcher's pid and start time
 *   hold            until when nothing is started (a runner stopped from outside: pm2 going away)
 */
export interface QueueStore {
  dir: string;
  settings: string;
  runs: string;
  env: string;
  lock: string;
  ensureLock: string;
  dispatcher: string;
  dispatcherLog: string;
  hold: string;
}

export const QUEUE_DIR = '.queue';

export function queueStore(runsDir: string): QueueStore {
  const dir = path.join(runsDir, QUEUE_DIR);
  return {
    dir,
    settings: path.join(dir, 'settings.json'),
    runs: path.join(dir, 'runs'),
    env: path.join(dir, 'env'),
    lock: path.join(dir, 'lock'),
    ensureLock: path.join(dir, 'ensure.lock'),
    dispatcher: path.join(dir, 'dispatcher'),
    dispatcherLog: path.join(dir, 'dispatcher.log'),
    hold: path.join(dir, 'hold'),
  };
}

/** Every dispatch decision is taken under this one lock, so two dispatchers never start a run twice. */
export function withQueueLock<T>(store: QueueStore, action: () => Promise<T>): Promise<T> {
  return withStoreLock(store, store.lock, action);
}

/** A lock file of the queue's own (the dispatch lock, the lock around starting a dispatcher), waited for up to a minute. */
export function withStoreLock<T>(store: QueueStore, lock: string, action: () => Promise<T>): Promise<T> {
  ensurePrivateDir(store.dir);
  return withLockFile(lock, { timeoutMs: 60_000, timedOut: (holder) => new RuntimeError(`the queue's lock ${lock} stayed taken for a minute by ${holder || 'an unknown process'}; remove it if no rl-run is running`) }, action);
}

export function writeSettings(store: QueueStore, settings: QueueSettings): void {
  ensurePrivateDir(store.dir);
  writeJsonAtomic(store.settings, settings);
}

export function readSettings(store: QueueStore): QueueSettings | null {
  const text = readSmallRegularFile(store.settings, 64 * 1024);
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as QueueSettings;
    const pool = value.pool === null || (Array.isArray(value.pool) && value.pool.every((gpu) => Number.isInteger(gpu) && gpu >= 0)) ? value.pool : null;
    const maxParallel = Number.isInteger(value.maxParallel) && value.maxParallel! > 0 ? value.maxParallel : null;
    const runsPerGpu = Number.isInteger(value.runsPerGpu) && value.runsPerGpu > 0 ? value.runsPerGpu : 1;
    return { maxParallel, pool, runsPerGpu };
  } catch {
    return null;
  }
}

/** Starts tracking a run; its environment is kept until it is dispatched. */
export function track(store: QueueStore, id: string, env: Record<string, string> | null): void {
  assertName(id);
  ensurePrivateDir(store.dir);
  ensurePrivateDir(store.runs);
  if (env) {
    ensurePrivateDir(store.env);
    writeJsonAtomic(path.join(store.env, `${id}.json`), env);
  }
  try {
    createExclusive(path.join(store.runs, id));
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
  }
}

export function untrack(store: QueueStore, id: string): void {
  assertName(id);
  unlinkQuietly(path.join(store.runs, id));
  dropEnv(store, id);
}

export function trackedIds(store: QueueStore): string[] {
  try {
    return readdirSync(store.runs).filter((name) => checkEntryName(name).ok && !name.startsWith('.'));
  } catch {
    return [];
  }
}

/** The environment saved for a queued run, or null when there is none (then the dispatcher's own is used). */
export function readEnv(store: QueueStore, id: string): Record<string, string> | null {
  assertName(id);
  const text = readSmallRegularFile(path.join(store.env, `${id}.json`), 4 * 1024 * 1024);
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  } catch {
    return null;
  }
}

export function dropEnv(store: QueueStore, id: string): void {
  unlinkQuietly(path.join(store.env, `${id}.json`));
}

/** Holds every start for `ms` from now (a later hold extends it). */
export function holdDispatch(store: QueueStore, ms: number): void {
  ensurePrivateDir(store.dir);
  writeJsonAtomic(store.hold, { until: Date.now() + ms });
}

/** Whether starts are held now. */
export function dispatchHeld(store: QueueStore, now = Date.now()): boolean {
  const text = readSmallRegularFile(store.hold, 256);
  if (text === null) return false;
  try {
    const until = (JSON.parse(text) as { until?: unknown }).until;
    return typeof until === 'number' && until > now;
  } catch {
    return false;
  }
}

/** The live dispatcher's holder line, or null when none is alive. */
export function liveDispatcher(store: QueueStore): string | null {
  const text = readSmallRegularFile(store.dispatcher, 64)?.trim();
  if (!text) return null;
  return lockIsStale(store.dispatcher) ? null : text;
}

/** Called by the dispatcher when it starts: false when another live dispatcher holds the place. */
export function claimDispatcher(store: QueueStore): boolean {
  ensurePrivateDir(store.dir);
  const mine = holderText();
  const current = liveDispatcher(store);
  if (current !== null && current !== mine) return false;
  replaceText(store.dispatcher, mine);
  return true;
}

export function releaseDispatcher(store: QueueStore): void {
  if (readSmallRegularFile(store.dispatcher, 64)?.trim() === holderText()) unlinkQuietly(store.dispatcher);
}

/**
 * Plain text like every lock's holder, written under the queue lock. A reader in between sees no
 * dispatcher and starts one, which finds this one alive when it claims and exits.
 */
function replaceText(file: string, text: string): void {
  unlinkQuietly(file);
  try {
    createExclusive(file, text);
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
  }
}

function assertName(id: string): void {
  const named = checkEntryName(id);
  if (!named.ok) throw new Error(`not a run id: ${named.reason}`);
}

import { randomBytes } from 'node:crypto';
import { linkSync, lstatSync, unlinkSync } from 'node:fs';
import { errorCode } from '../../errors.js';
import { createExclusive, readSmallRegularFile } from '../safe-fs.js';
import { type RunLayout, stopRequestTemp } from './paths.js';

/**
 * A stop request: `<runDir>/stop-requested`, made once by the first `rl-run stop` and never
 * rewritten. It carries its deadline, so the runner (which pm2 keeps alive) carries the stop out to
 * the end — SIGINT once, SIGKILL at the deadline — even when the `stop` command that asked for it is
 * gone. A later `stop` finds it and joins that stop instead of starting another.
 */
export interface StopRequest {
  /** Epoch ms. */
  requestedAt: number;
  /** Epoch ms: when whatever is left of the run gets SIGKILL. */
  deadline: number;
}

const MAX_BYTES = 4096;

/** Makes the request unless there is one; `created` says whether this call made it. */
export function requestStop(layout: RunLayout, timeoutMs: number, now = Date.now()): { request: StopRequest; created: boolean } {
  const request = { requestedAt: now, deadline: now + timeoutMs };
  const text = `${JSON.stringify({ requestedAt: new Date(now).toISOString(), deadline: new Date(request.deadline).toISOString(), timeoutMs })}\n`;
  // Written whole to a file of our own, then linked into place: link(2) fails if the name exists
  // (a symlink included, which it never follows), so exactly one stop makes the request, and
  // nobody ever reads it half-written.
  const temp = stopRequestTemp(layout, `${process.pid}.${randomBytes(4).toString('hex')}`);
  createExclusive(temp, text);
  try {
    linkSync(temp, layout.stopRequest);
    return { request, created: true };
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temp);
  }
  return { request: readStopRequest(layout, timeoutMs, now) ?? request, created: false };
}

/**
 * The request, or null when there is none. One that cannot be read as written here (an older
 * rl-run's bare timestamp, or not a regular file) counts from its time stamp with `fallbackTimeoutMs`.
 */
export function readStopRequest(layout: RunLayout, fallbackTimeoutMs: number, now = Date.now()): StopRequest | null {
  let mtimeMs: number;
  try {
    mtimeMs = lstatSync(layout.stopRequest).mtimeMs;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    return { requestedAt: now, deadline: now + fallbackTimeoutMs };
  }
  return parseStopRequest(readSmallRegularFile(layout.stopRequest, MAX_BYTES), mtimeMs, fallbackTimeoutMs);
}

/** Pure: a request from the marker's text (null when unreadable) and its modification time. */
export function parseStopRequest(text: string | null, mtimeMs: number, fallbackTimeoutMs: number): StopRequest {
  const fallback = (requestedAt: number) => ({ requestedAt, deadline: requestedAt + fallbackTimeoutMs });
  if (text === null) return fallback(mtimeMs);
  try {
    const value = JSON.parse(text) as { requestedAt?: unknown; deadline?: unknown };
    const requestedAt = typeof value.requestedAt === 'string' ? Date.parse(value.requestedAt) : Number.NaN;
    const deadline = typeof value.deadline === 'string' ? Date.parse(value.deadline) : Number.NaN;
    if (Number.isFinite(requestedAt) && Number.isFinite(deadline) && deadline >= requestedAt) return { requestedAt, deadline };
    if (Number.isFinite(requestedAt)) return fallback(requestedAt);
  } catch {
    // an older rl-run wrote the time alone
  }
  const stamped = Date.parse(text.trim());
  return fallback(Number.isFinite(stamped) ? stamped : mtimeMs);
}


/** Takes away an old stop's request, for a run that is continued (`rl-run resume`): its new runner must not take it as a stop. */
export function clearStopRequest(layout: RunLayout): void {
  try {
    unlinkSync(layout.stopRequest);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
}

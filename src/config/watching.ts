export type { NotifyEvent, ResolvedNotify, ResolvedWatchdog } from './schema.js';
import type { NotifyConfig, NotifyEvent, ResolvedNotify, ResolvedWatchdog, WatchdogConfig } from './schema.js';
import { UsageError } from '../errors.js';
import { parseDuration } from '../format/time.js';

export const WATCHDOG_ACTIONS: readonly ResolvedWatchdog['action'][] = ['notify', 'stop', 'resume'];
export const WATCHDOG_DEFAULTS: ResolvedWatchdog = { nan: true, stall: 'auto', action: 'notify' };

export const NOTIFY_EVENTS: readonly NotifyEvent[] = ['failed', 'lost', 'succeeded', 'stopped', 'watchdog'];

/** What is notified when `notify.on` is not given: what needs a person, not a run that ended as planned. */
export const NOTIFY_DEFAULT_ON: readonly NotifyEvent[] = ['failed', 'lost', 'watchdog'];

export { parseDuration } from '../format/time.js';

/** Null when `value` is a valid `stall`, else what was expected. */
export function stallProblem(value: unknown): string | null {
  if (value === false || value === 'auto') return null;
  if (typeof value === 'string' && parseDuration(value) !== null) return null;
  return "a duration ('30m', '2h', '45s'), 'auto', or false";
}

/** Null when `value` is a webhook URL rl-run can POST to, else what was expected. */
export function webhookProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'an http(s) URL';
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? null : 'an http(s) URL';
  } catch {
    return 'an http(s) URL';
  }
}

/** The config's watchdog section resolved; null when there is none (no watching). */
export function resolveWatchdog(user: WatchdogConfig | undefined): ResolvedWatchdog | null {
  if (!user) return null;
  return { nan: user.nan ?? WATCHDOG_DEFAULTS.nan, stall: user.stall ?? WATCHDOG_DEFAULTS.stall, action: user.action ?? WATCHDOG_DEFAULTS.action };
}

export function resolveNotify(user: NotifyConfig | undefined): ResolvedNotify | null {
  if (!user) return null;
  return { on: [...(user.on ?? NOTIFY_DEFAULT_ON)], command: user.command ?? null, webhook: user.webhook ?? null };
}

/**
 * `start --watchdog SPEC`, over the config's section: `on` (the defaults), `off`, or a comma list
 * of `nan`, `nan=off`, `stall=30m|auto|off`, `action=notify|stop|resume`. Throws a UsageError
 * naming the bad part.
 */
export function applyWatchdogFlag(spec: string, base: ResolvedWatchdog | null): ResolvedWatchdog | null {
  const text = spec.trim();
  if (text === 'off') return null;
  const result: ResolvedWatchdog = { ...(base ?? WATCHDOG_DEFAULTS) };
  if (text === '' || text === 'on' || text === 'true') return result;
  for (const part of text.split(',').map((p) => p.trim())) {
    const [key, value] = part.includes('=') ? [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)] : [part, undefined];
    if (key === 'nan' && (value === undefined || value === 'on' || value === 'off')) result.nan = value !== 'off';
    else if (key === 'stall' && value !== undefined && (value === 'off' || stallProblem(value) === null)) result.stall = value === 'off' ? false : value;
    else if (key === 'action' && (WATCHDOG_ACTIONS as readonly string[]).includes(value ?? '')) result.action = value as ResolvedWatchdog['action'];
    else {
      throw new UsageError(
        `--watchdog ${spec}: cannot read '${part}'; expected 'on', 'off', or a comma list of nan, nan=off, stall=30m|auto|off, action=notify|stop|resume (e.g. --watchdog nan,stall=30m,action=stop)`,
      );
    }
  }
  return result;
}

/** The watchdog a record was started with (its config snapshot), checked again: a record is a file anyone may edit. */
export function watchdogOfRecord(config: Record<string, unknown>): ResolvedWatchdog | null {
  const w = config.watchdog as Partial<ResolvedWatchdog> | null | undefined;
  if (!w || typeof w !== 'object') return null;
  if (typeof w.nan !== 'boolean' || stallProblem(w.stall) !== null || !(WATCHDOG_ACTIONS as readonly unknown[]).includes(w.action)) return null;
  return { nan: w.nan, stall: w.stall as string | false, action: w.action as ResolvedWatchdog['action'] };
}

export function notifyOfRecord(config: Record<string, unknown>): ResolvedNotify | null {
  const n = config.notify as Partial<ResolvedNotify> | null | undefined;
  if (!n || typeof n !== 'object' || !Array.isArray(n.on)) return null;
  const command = typeof n.command === 'string' && n.command !== '' ? n.command : null;
  const webhook = typeof n.webhook === 'string' && webhookProblem(n.webhook) === null ? n.webhook : null;
  return { on: n.on.filter((e): e is NotifyEvent => (NOTIFY_EVENTS as readonly unknown[]).includes(e)), command, webhook };
}

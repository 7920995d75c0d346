/** "3h ago", "just now", "2d ago". */
export function ago(from: Date | string, now: Date = new Date()): string {
  const seconds = Math.max(0, Math.round((now.getTime() - new Date(from).getTime()) / 1000));
  if (seconds < 10) return 'just now';
  return `${compact(seconds)} ago`;
}

/** "45s", "12m", "3h 05m", "2d 4h". */
export function formatDuration(ms: number): string {
  return compact(Math.max(0, Math.round(ms / 1000)));
}

function compact(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "30", "30s", "1500ms", "2m", "1h" (and "1d" where days are allowed) in milliseconds; a bare number is seconds. */
function parseMilliseconds(text: string, days: boolean): number | null {
  const match = (days ? /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/ : /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/).exec(text.trim());
  if (!match) return null;
  return Math.round(Number(match[1]) * DURATION_UNITS[match[2] ?? 's']!);
}

/** A grace period or interval given on the command line: "30", "30s", "1500ms", "2m", "1h". */
export function parseTimeout(text: string): number | null {
  return parseMilliseconds(text, false);
}

/** A watchdog's stall limit: as parseTimeout, days too ("1d"); null when not a duration above 0. */
export function parseDuration(text: string): number | null {
  const ms = parseMilliseconds(text, true);
  return ms !== null && ms > 0 ? ms : null;
}

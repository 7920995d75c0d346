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

/** Parses "30", "30s", "1500ms", "2m", "1h" into milliseconds; a bare number is seconds. */
export function parseTimeout(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return null;
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!;
  return Math.round(value * factor);
}

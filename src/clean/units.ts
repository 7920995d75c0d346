import dayjs from 'dayjs';
import duration from 'dayjs/plugin/duration.js';

dayjs.extend(duration);

const AGE_UNITS = { h: 'hours', d: 'days', w: 'weeks' } as const;

/** "14d", "12h", "2w" → milliseconds, or null. */
export function parseAge(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*([hdw])$/.exec(text.trim());
  if (!match) return null;
  return dayjs.duration(Number(match[1]), AGE_UNITS[match[2] as keyof typeof AGE_UNITS]).asMilliseconds();
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** "1G", "500M", "10k", "2048" (bytes); binary units, an optional trailing "B" or "iB". */
export function parseSize(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(text.trim());
  if (!match) return null;
  return Math.round(Number(match[1]) * SIZE_UNITS[match[2]!.toLowerCase()]!);
}

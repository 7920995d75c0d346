/**
 * Pure: whether a run has stalled, from the times its output grew and it printed metric lines.
 *
 * The limit is the larger of the base limit (the configured duration, or for 'auto' ten times the
 * median interval between metric lines, never under AUTO_FLOOR_MS) and 1.5 times the longest
 * silence the run has already come back from. That second term is what makes it phase-aware: a
 * run that pauses every N steps to evaluate or save shows that pause once, quietly, and from then
 * on a pause of that length (give or take half, as evaluation episodes vary) is its normal rhythm,
 * not a stall; a script that hangs stays silent forever and still crosses any finite limit. A
 * first pause longer than the base limit is flagged: the base limit is what the user said, and for
 * 'auto' its 10-minute floor is above every pause in the healthy runs of test/fixtures.
 */
export const AUTO_FLOOR_MS = 10 * 60_000;
export const AUTO_FACTOR = 10;
export const LONGEST_GAP_MARGIN = 1.5;
/** Metric intervals kept for the median: the recent rhythm, in bounded memory. */
const INTERVALS_KEPT = 512;

export interface Stall {
  silentMs: number;
  limitMs: number;
}

export class StallDetector {
  private lastActivity: number;
  private lastMetric: number | null = null;
  private longestGap = 0;
  private readonly intervals: number[] = [];
  private next = 0;
  private flagged = false;

  /** `fixedMs`: the configured limit, or null for 'auto'. */
  constructor(
    private readonly fixedMs: number | null,
    startedAt: number,
    private readonly floorMs = AUTO_FLOOR_MS,
  ) {
    this.lastActivity = startedAt;
  }

  /** The script wrote something (console output or a metric file grew). */
  activity(now: number): void {
    this.longestGap = Math.max(this.longestGap, now - this.lastActivity);
    this.lastActivity = Math.max(this.lastActivity, now);
    this.flagged = false;
  }

  /** A line (or table) of metrics was printed; it is activity too. */
  metric(now: number): void {
    if (this.lastMetric !== null) {
      const interval = now - this.lastMetric;
      if (this.intervals.length < INTERVALS_KEPT) this.intervals.push(interval);
      else this.intervals[this.next++ % INTERVALS_KEPT] = interval;
    }
    this.lastMetric = now;
    this.activity(now);
  }

  /** The limit a silence is held to now. */
  limitMs(): number {
    const base = this.fixedMs ?? Math.max(this.floorMs, AUTO_FACTOR * median(this.intervals));
    return Math.max(base, LONGEST_GAP_MARGIN * this.longestGap);
  }

  /** A stall the first time the silence passes the limit; null otherwise (and until output resumes). */
  check(now: number): Stall | null {
    if (this.flagged) return null;
    const silentMs = now - this.lastActivity;
    // The limit is never under the base, so the median is only worked out for a long silence.
    if (silentMs <= (this.fixedMs ?? this.floorMs)) return null;
    const limitMs = this.limitMs();
    if (silentMs <= limitMs) return null;
    this.flagged = true;
    return { silentMs, limitMs };
  }
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

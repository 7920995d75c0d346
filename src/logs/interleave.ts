/**
 * The order of stdout and stderr lines. The script writes both files itself (output never passes
 * through rl-run, to keep a plain redirect's speed), so nothing sees the two streams' writes in
 * order. The runner samples both sizes every SAMPLE_MS and appends a sample to output.idx when the
 * growth changes: a line belongs to the first window whose sample covers its end. Lines of
 * different windows are in the order they were written; inside one window the order is not known
 * and stdout's lines come first.
 */
export const SAMPLE_MS = 250;

type Growth = 'out' | 'err' | 'both';

/**
 * Decides which samples are written: consecutive windows in which only stdout (or only stderr)
 * grew merge into one, as no line of the other stream can fall between them. So a run that prints
 * to one stream adds nothing after its first sample, and the worst case, both streams growing in
 * every window, is one short line per SAMPLE_MS.
 */
export class SampleRecorder {
  private last: [number, number];
  private growth: Growth | null = null;

  constructor(
    start: [number, number],
    private readonly write: (line: string) => void,
  ) {
    this.last = start;
  }

  sample(out: number, err: number): void {
    const [o, e] = this.last;
    if (out === o && err === e) return;
    const growth: Growth = out !== o && err !== e ? 'both' : out !== o ? 'out' : 'err';
    if (this.growth !== null && (growth !== this.growth || growth === 'both')) this.write(`${o} ${e}\n`);
    this.growth = growth;
    this.last = [out, err];
  }

  /** The last window's end, written when the runner exits. */
  close(): void {
    if (this.growth !== null) this.write(`${this.last[0]} ${this.last[1]}\n`);
    this.growth = null;
  }
}

/** Window ends, oldest first, from output.idx lines; a torn or foreign line is skipped. */
export function parseSamples(lines: readonly string[]): [number, number][] {
  const samples: [number, number][] = [];
  for (const line of lines) {
    const match = /^(\d+) (\d+)$/.exec(line);
    if (match) samples.push([Number(match[1]), Number(match[2])]);
  }
  return samples;
}

export interface StreamLine {
  text: string;
  /** Byte offset just past the line (its `\n` included). */
  end: number;
}

export interface LabelledLine {
  stream: 'out' | 'err';
  text: string;
}

/**
 * Pure: the last `count` lines of both streams, in the order they were written as far as the
 * samples tell. `out` and `err` are each stream's last `count` lines, oldest first.
 */
export function interleave(out: readonly StreamLine[], err: readonly StreamLine[], samples: readonly [number, number][], count: number): LabelledLine[] {
  const windowOf = (end: number, stream: 0 | 1): number => {
    // The first sample whose size covers the line's end; samples are sorted on both streams.
    let lo = 0;
    let hi = samples.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (samples[mid]![stream] >= end) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const tagged = [
    ...out.map((line, i) => ({ stream: 'out' as const, text: line.text, window: windowOf(line.end, 0), rank: 0, i })),
    ...err.map((line, i) => ({ stream: 'err' as const, text: line.text, window: windowOf(line.end, 1), rank: 1, i })),
  ];
  tagged.sort((a, b) => a.window - b.window || a.rank - b.rank || a.i - b.i);
  return tagged.slice(-count).map(({ stream, text }) => ({ stream, text }));
}

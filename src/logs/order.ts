import { existsSync } from 'node:fs';
import { type LabelledLine, interleave, parseSamples } from './interleave.js';
import { readLastLines, readLastLinesAt } from './tail.js';

export interface OrderedTail {
  lines: LabelledLine[];
  /** False for a run without output.idx (an older rl-run, SLURM): then the last lines of stdout, then of stderr. */
  ordered: boolean;
}

/**
 * The last `count` lines of stdout and stderr together, in the order they were written as far as
 * the runner's samples tell (logs/interleave.ts). `ends` reads each file as it was at that size.
 */
export function readLastLinesInOrder(files: { stdout: string; stderr: string; index: string }, count: number, ends: [number, number]): OrderedTail {
  const out = readLastLinesAt(files.stdout, count, ends[0]);
  const err = readLastLinesAt(files.stderr, count, ends[1]);
  if (!existsSync(files.index)) {
    // No order to go by: the last `count` of each, as rl-run always showed them.
    const lines = [...out.map(({ text }) => ({ stream: 'out' as const, text })), ...err.map(({ text }) => ({ stream: 'err' as const, text }))];
    return { lines, ordered: false };
  }
  const samples = samplesCovering(files.index, out[0]?.end ?? ends[0], err[0]?.end ?? ends[1]);
  return { lines: interleave(out, err, samples, count), ordered: true };
}

/** The index's last samples, enough of them to place lines ending at or after these offsets. */
function samplesCovering(index: string, outEnd: number, errEnd: number): [number, number][] {
  for (let wanted = 4096; ; wanted *= 4) {
    const lines = readLastLines(index, wanted);
    const samples = parseSamples(lines);
    const first = samples[0];
    // Window numbers are relative: a window before the first sample read still sorts first.
    if (lines.length < wanted || !first || (first[0] < outEnd && first[1] < errEnd)) return samples;
  }
}

import { statSync } from 'node:fs';
import { SAMPLE_MS, SampleRecorder } from '../logs/interleave.js';
import type { RunLayout } from '../registry/run-dir/index.js';
import { appendNoFollow } from '../registry/safe-fs.js';

/**
 * Samples the sizes of stdout.log and stderr.log while the runner lives, for `logs --all` to put
 * the two streams' lines in order (see logs/interleave.ts). Two stats every SAMPLE_MS: the output
 * itself still goes straight from the script to its files. Any error (a full disk, the directory
 * gone) ends the sampling, never the runner: the index only makes `--all` finer.
 */
export function recordOutputSizes(layout: RunLayout): void {
  const size = (file: string) => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  };
  const recorder = new SampleRecorder([size(layout.stdout), size(layout.stderr)], (line) => appendNoFollow(layout.outputIndex, line));
  const sample = () => {
    try {
      recorder.sample(size(layout.stdout), size(layout.stderr));
    } catch {
      clearInterval(timer);
    }
  };
  const timer = setInterval(sample, SAMPLE_MS);
  // Neither keeps the runner alive; the last window is closed as it exits.
  timer.unref();
  process.once('exit', () => {
    try {
      sample();
      recorder.close();
    } catch {
      // nothing more to do as the process ends
    }
  });
}

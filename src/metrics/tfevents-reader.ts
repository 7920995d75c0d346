import { open } from 'node:fs/promises';
import type { MetricSeries, MetricWarning } from './series.js';
import { normaliseMetricName } from './series.js';
import { SeriesSet } from './series-builder.js';
import { decodeScalarEvent } from './tf-event.js';
import { describeLeftover, describeProblem, scanRecords } from './tf-records.js';

const CHUNK_BYTES = 4 * 1024 * 1024;
/**
 * A scalar's record is a few dozen bytes; records larger than this are images, histograms or
 * graphs, skipped unread, so memory stays bounded (a 1 GB record took 165 s and 2.2 GB to read).
 */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/**
 * The scalars of the event files of one folder, merged into one set of series in the order given
 * (TensorBoard names files by creation time, so sorted names are chronological).
 */
export async function readEventFiles(
  files: readonly string[],
  maxPoints?: number,
): Promise<{ series: MetricSeries[]; warnings: MetricWarning[] }> {
  const set = new SeriesSet('tfevents', files[0] ?? '', maxPoints);
  const warnings: MetricWarning[] = [];
  for (const file of files) {
    await readEventFile(file, (tag, value, step, wallTime) => set.add(normaliseMetricName(tag), value, step, wallTime), warnings);
  }
  return { series: set.build(), warnings };
}

type OnScalar = (tag: string, value: number, step: number, wallTime: number) => void;

async function readEventFile(file: string, onScalar: OnScalar, warnings: MetricWarning[]): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    let pending: Buffer = Buffer.alloc(0);
    let pendingOffset = 0;
    let position = 0;
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      pending = pending.length > 0 ? Buffer.concat([pending, chunk.subarray(0, bytesRead)]) : Buffer.from(chunk.subarray(0, bytesRead));
      const scan = scanRecords(pending, pendingOffset);
      for (const record of scan.records) {
        try {
          const event = decodeScalarEvent(record.data);
          for (const { tag, value } of event.scalars) onScalar(tag, value, event.step, event.wallTime);
        } catch (error) {
          warnings.push({ file, byteOffset: record.offset, message: `event cannot be decoded: ${String(error)}` });
        }
      }
      for (const problem of scan.problems) warnings.push({ file, byteOffset: problem.offset, message: describeProblem(problem) });
      if (scan.stopped) return;
      pending = pending.subarray(scan.consumed);
      pendingOffset += scan.consumed;
      if (scan.need !== undefined && scan.need > MAX_RECORD_BYTES) {
        const mb = (scan.need / 1024 / 1024).toFixed(0);
        if (pendingOffset + scan.need > size) {
          // A length no file this size can hold: a corrupt header, or a huge record still being written.
          const message = `record claims ${mb} MB but the file has ${size - pendingOffset} bytes left; the rest of the file is skipped`;
          warnings.push({ file, byteOffset: pendingOffset, message });
          return;
        }
        warnings.push({ file, byteOffset: pendingOffset, message: `record of ${mb} MB skipped: larger than ${MAX_RECORD_BYTES / 1024 / 1024} MB, so not a scalar` });
        pendingOffset += scan.need;
        position = pendingOffset;
        pending = Buffer.alloc(0);
      }
    }
    const leftover = describeLeftover(pending, pendingOffset);
    if (leftover) warnings.push({ file, byteOffset: leftover.offset, message: describeProblem(leftover) });
  } finally {
    await handle.close();
  }
}

import { maskedCrc32c } from './crc32c.js';

/** One TFRecord: `uint64 length, uint32 masked crc(length), data, uint32 masked crc(data)`. */
export interface TfRecord {
  offset: number;
  data: Uint8Array;
}

export type RecordProblem =
  | { kind: 'bad-length-crc'; offset: number }
  | { kind: 'bad-data-crc'; offset: number }
  | { kind: 'truncated'; offset: number; have: number; need: number };

export interface ScanResult {
  records: TfRecord[];
  /** Bytes of `bytes` fully used; the rest is an incomplete record to retry with more data. */
  consumed: number;
  /** A record whose data checksum failed is skipped; a bad length checksum ends the scan. */
  problems: RecordProblem[];
  stopped: boolean;
  /** The whole size of the record after the last one returned, when its header is there but not all of it. */
  need?: number;
}

const HEADER = 12;
const FOOTER = 4;

/** Splits as many complete records as `bytes` holds; `baseOffset` is where `bytes` starts in the file. */
export function scanRecords(bytes: Uint8Array, baseOffset: number): ScanResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: TfRecord[] = [];
  const problems: RecordProblem[] = [];
  let pos = 0;
  let need: number | undefined;
  while (bytes.length - pos >= HEADER) {
    const lengthBytes = bytes.subarray(pos, pos + 8);
    if (maskedCrc32c(lengthBytes) !== view.getUint32(pos + 8, true)) {
      problems.push({ kind: 'bad-length-crc', offset: baseOffset + pos });
      return { records, consumed: pos, problems, stopped: true };
    }
    const length = Number(view.getBigUint64(pos, true));
    const total = HEADER + length + FOOTER;
    if (bytes.length - pos < total) {
      need = total;
      break;
    }
    const data = bytes.subarray(pos + HEADER, pos + HEADER + length);
    if (maskedCrc32c(data) === view.getUint32(pos + HEADER + length, true)) {
      records.push({ offset: baseOffset + pos, data });
    } else {
      problems.push({ kind: 'bad-data-crc', offset: baseOffset + pos });
    }
    pos += total;
  }
  return { records, consumed: pos, problems, stopped: false, ...(need !== undefined ? { need } : {}) };
}

/** What is left at the end of a file that did not end on a record boundary. */
export function describeLeftover(bytes: Uint8Array, baseOffset: number): RecordProblem | undefined {
  if (bytes.length === 0) return undefined;
  const need =
    bytes.length >= 8
      ? HEADER + Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true)) + FOOTER
      : HEADER;
  return { kind: 'truncated', offset: baseOffset, have: bytes.length, need };
}

export function describeProblem(problem: RecordProblem): string {
  switch (problem.kind) {
    case 'bad-length-crc':
      return 'record length checksum does not match; the rest of the file is skipped';
    case 'bad-data-crc':
      return 'record data checksum does not match; record skipped';
    case 'truncated':
      return `last record is incomplete (${problem.have} of ${problem.need} bytes; still being written, or the writer was killed); records before it are used`;
  }
}

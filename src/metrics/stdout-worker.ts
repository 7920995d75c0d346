import { parentPort, workerData } from 'node:worker_threads';
import { type PartRequest, readLaterPart } from './stdout-parts.js';

// Worker entry: reads the later part of a stdout log (see stdout-reader.ts) and posts its series.
const part = await readLaterPart(workerData as PartRequest);
const transfer = part.series.flatMap((s) => [s.steps, s.values, s.wallTimes, s.counted].map((column) => column.buffer as ArrayBuffer));
parentPort?.postMessage(part, transfer);

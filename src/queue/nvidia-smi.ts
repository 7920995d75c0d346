import { execFileSync } from 'node:child_process';
import { UsageError, describeError } from '../errors.js';
import { withoutRunIdentity } from '../process/index.js';

export interface GpuInfo {
  index: number;
  /** MiB. */
  memoryTotal: number;
  /** MiB. */
  memoryUsed: number;
}

export const NVIDIA_SMI_ARGS = ['--query-gpu=index,memory.total,memory.used', '--format=csv,noheader,nounits'];

/**
 * Pure: the rows of `nvidia-smi --query-gpu=index,memory.total,memory.used --format=csv,noheader,nounits`
 * ("0, 81559, 4"). A row it cannot read ("[N/A]" memory on some MIG setups keeps the index) is kept
 * with what it has; a line without an index is an error, so a changed format is not read as no GPUs.
 */
export function parseNvidiaSmi(text: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const [index, total, used] = line.split(',').map((cell) => cell.trim());
    if (index === undefined || !/^\d+$/.test(index)) throw new Error(`unexpected nvidia-smi line ${JSON.stringify(line)}`);
    gpus.push({ index: Number(index), memoryTotal: numberOr(total), memoryUsed: numberOr(used) });
  }
  return gpus;
}

function numberOr(cell: string | undefined): number {
  const value = Number(cell);
  return cell !== undefined && cell !== '' && Number.isFinite(value) ? value : Number.NaN;
}

/** queue.gpus: 'auto': every GPU nvidia-smi lists on this machine. */
export function detectGpus(): number[] {
  let text: string;
  try {
    text = execFileSync('nvidia-smi', NVIDIA_SMI_ARGS, { encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'pipe'], env: withoutRunIdentity(process.env) });
  } catch (error) {
    throw new UsageError(`queue.gpus is 'auto' but nvidia-smi could not list the GPUs (${describeError(error).split('\n')[0]}): list the GPU indices in queue.gpus, e.g. gpus: [0, 1]`);
  }
  let gpus: GpuInfo[];
  try {
    gpus = parseNvidiaSmi(text);
  } catch (error) {
    throw new UsageError(`queue.gpus is 'auto' but nvidia-smi's answer could not be read (${describeError(error)}): list the GPU indices in queue.gpus`);
  }
  if (gpus.length === 0) throw new UsageError("queue.gpus is 'auto' but nvidia-smi lists no GPU: list the GPU indices in queue.gpus, or remove it");
  return gpus.map((gpu) => gpu.index);
}

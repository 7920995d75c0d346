import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { UsageError, describeError } from '../errors.js';
import { withoutRunIdentity } from '../process/index.js';

/**
 * The one place rl-run runs `nvidia-smi`: GPU memory per process and utilisation per GPU for a
 * run's resources (without nvidia-smi, as on the machine this was written on, every run simply
 * shows no GPU), and the GPU pool of `queue.gpus: 'auto'`.
 */

/** One GPU a run uses: the memory its processes hold there, and how busy the whole GPU is. */
export interface GpuUse {
  index: number;
  memoryBytes: number;
  /** utilization.gpu of the whole device (nvidia-smi has no per-process figure short of `pmon`), or null. */
  utilizationPercent: number | null;
}

export interface GpuProcess {
  pid: number;
  gpuUuid: string;
  /** Null where the driver does not say ([N/A], [Not Supported]: some containers and WSL). */
  memoryBytes: number | null;
}

export interface GpuDevice {
  index: number;
  uuid: string;
  utilizationPercent: number | null;
}

export const COMPUTE_APPS_ARGS = ['--query-compute-apps=pid,gpu_uuid,used_memory', '--format=csv,noheader,nounits'];
export const GPUS_ARGS = ['--query-gpu=index,uuid,utilization.gpu', '--format=csv,noheader,nounits'];

const MIB = 1024 * 1024;

/** Pure: `nvidia-smi --query-compute-apps=pid,gpu_uuid,used_memory --format=csv,noheader,nounits` (memory in MiB). */
export function parseComputeApps(text: string): GpuProcess[] {
  const found: GpuProcess[] = [];
  for (const line of text.split('\n')) {
    const [pid, gpuUuid, memory] = line.split(',').map((cell) => cell.trim());
    if (!pid || !/^\d+$/.test(pid) || !gpuUuid) continue;
    const mib = memory !== undefined && /^\d+(\.\d+)?$/.test(memory) ? Number(memory) : null;
    found.push({ pid: Number(pid), gpuUuid, memoryBytes: mib === null ? null : mib * MIB });
  }
  return found;
}

/** Pure: `nvidia-smi --query-gpu=index,uuid,utilization.gpu --format=csv,noheader,nounits`. */
export function parseGpus(text: string): GpuDevice[] {
  const found: GpuDevice[] = [];
  for (const line of text.split('\n')) {
    const [index, uuid, utilization] = line.split(',').map((cell) => cell.trim());
    if (!index || !/^\d+$/.test(index) || !uuid) continue;
    found.push({ index: Number(index), uuid, utilizationPercent: utilization !== undefined && /^\d+$/.test(utilization) ? Number(utilization) : null });
  }
  return found;
}

/** Pure: the GPUs a run's processes use, by index, their memory summed. */
export function gpusOfPids(pids: readonly number[], apps: readonly GpuProcess[], devices: readonly GpuDevice[]): GpuUse[] {
  const mine = new Set(pids);
  const byUuid = new Map<string, GpuUse>();
  for (const app of apps) {
    if (!mine.has(app.pid)) continue;
    const device = devices.find((d) => d.uuid === app.gpuUuid);
    if (!device) continue;
    const use = byUuid.get(app.gpuUuid) ?? { index: device.index, memoryBytes: 0, utilizationPercent: device.utilizationPercent };
    use.memoryBytes += app.memoryBytes ?? 0;
    byUuid.set(app.gpuUuid, use);
  }
  return [...byUuid.values()].sort((a, b) => a.index - b.index);
}

export interface GpuReading {
  apps: GpuProcess[];
  devices: GpuDevice[];
}

/** Both queries at once, or null when nvidia-smi is not on PATH or fails (it is never waited on for long). */
export async function readGpus(env: NodeJS.ProcessEnv = process.env): Promise<GpuReading | null> {
  const command = findOnPath('nvidia-smi', env.PATH ?? '');
  if (!command) return null;
  const [apps, devices] = await Promise.all([run(command, COMPUTE_APPS_ARGS), run(command, GPUS_ARGS)]);
  if (apps === null || devices === null) return null;
  return { apps: parseComputeApps(apps), devices: parseGpus(devices) };
}

function run(command: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(command, args, { encoding: 'utf8', timeout: 5_000, env: withoutRunIdentity(process.env) }, (error, stdout) => resolve(error ? null : stdout));
  });
}

/** Looked up without spawning: most machines have no nvidia-smi, and `ls` should not pay for a failed spawn. */
function findOnPath(name: string, searchPath: string): string | null {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export interface GpuInfo {
  index: number;
  /** MiB. */
  memoryTotal: number;
  /** MiB. */
  memoryUsed: number;
}

/** queue.gpus: 'auto' asks for the pool with this query. */
export const POOL_ARGS = ['--query-gpu=index,memory.total,memory.used', '--format=csv,noheader,nounits'];

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
    text = execFileSync('nvidia-smi', POOL_ARGS, { encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'pipe'], env: withoutRunIdentity(process.env) });
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

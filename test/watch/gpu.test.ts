import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gpusOfPids, parseComputeApps, parseGpus } from '../../src/resources/gpu.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/nvidia-smi/${name}`, import.meta.url), 'utf8');
const MIB = 1024 * 1024;

describe('nvidia-smi output', () => {
  const apps = parseComputeApps(fixture('compute-apps.csv'));
  const devices = parseGpus(fixture('gpus.csv'));

  it('parses processes (memory in MiB, [N/A] as unknown) and devices', () => {
    expect(apps).toHaveLength(5);
    expect(apps[0]).toEqual({ pid: 4054862, gpuUuid: 'GPU-d0180485-9584-433c-6782-c335d5df2cb3', memoryBytes: 990 * MIB });
    expect(apps[3]!.memoryBytes).toBeNull();
    expect(devices).toEqual([
      { index: 0, uuid: 'GPU-d0180485-9584-433c-6782-c335d5df2cb3', utilizationPercent: 87 },
      { index: 1, uuid: 'GPU-777ead31-954e-837f-590f-6c4974d8e571', utilizationPercent: null },
    ]);
  });

  it("matches a run's pids, sums its memory per GPU, and leaves other users' processes out", () => {
    expect(gpusOfPids([4054862, 4055325, 4100001], apps, devices)).toEqual([
      { index: 0, memoryBytes: (990 + 2404) * MIB, utilizationPercent: 87 },
      { index: 1, memoryBytes: 18312 * MIB, utilizationPercent: null },
    ]);
    expect(gpusOfPids([12], apps, devices)).toEqual([]);
  });

  it.each([[''], ['No devices were found'], ['Failed to initialize NVML: Driver/library version mismatch']])('reads nothing from %j', (text) => {
    expect(parseComputeApps(text)).toEqual([]);
    expect(parseGpus(text)).toEqual([]);
  });
});

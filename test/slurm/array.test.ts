import { describe, expect, it } from 'vitest';
import { layoutOfDir } from '../../src/registry/run-dir/index.js';
import { parseScontrol, parseSqueue } from '../../src/supervisor/slurm/parse.js';
import { arrayBatchScript, arraySbatchArgs } from '../../src/supervisor/slurm/script.js';

// Recorded from the single-node test cluster (slurm 22.05): `scontrol show job 261_1`, `squeue -h -r -o …`.
const SCONTROL_TASK = `JobId=263 ArrayJobId=261 ArrayTaskId=1 ArrayTaskThrottle=1 JobName=rlrun-test-arr
   UserId=root(0) GroupId=root(0) MCS_label=N/A
   JobState=FAILED Reason=NonZeroExitCode Dependency=(null)
   ExitCode=3:0
   StartTime=2026-11-27T18:15:48 EndTime=2026-11-27T18:15:52 Deadline=N/A
   NodeList=vm
`;

describe('SLURM job arrays', () => {
  it('reads an array task from scontrol by its <array>_<index> id, not by the array id or its own job id only', () => {
    expect(parseScontrol(SCONTROL_TASK, '261_1')).toMatchObject({ jobId: '261_1', state: 'FAILED', exitCode: 3, node: 'vm' });
    expect(parseScontrol(SCONTROL_TASK, '261_2')).toBeNull();
    expect(parseScontrol(SCONTROL_TASK, '261')).toBeNull();
  });

  it('reads squeue -r lines of array tasks one by one', () => {
    const jobs = parseSqueue('261_1|PENDING||JobArrayTaskLimit|N/A|rlrun-s\n261_0|RUNNING|vm|None|2026-11-27T18:15:43|rlrun-s\n');
    expect(jobs.map((job) => [job.jobId, job.state])).toEqual([
      ['261_1', 'PENDING'],
      ['261_0', 'RUNNING'],
    ]);
  });

  it("maps task i to the i-th run's batch script and logs, and asks for --array=0-N%K", () => {
    const runs = ['a-20260101-000000-aaaaaa', "b-20260101-000000-bbbbbb"].map((id) => ({ id, layout: layoutOfDir(`/runs/${id}`) }));
    const script = arrayBatchScript(runs);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable in the batch script
    expect(script).toContain('case "${SLURM_ARRAY_TASK_ID:-}" in\n');
    expect(script).toContain('  0) exec bash /runs/a-20260101-000000-aaaaaa/slurm-job.sh >>/runs/a-20260101-000000-aaaaaa/stdout.log 2>>/runs/a-20260101-000000-aaaaaa/stderr.log ;;');
    expect(script).toContain('  1) exec bash /runs/b-20260101-000000-bbbbbb/slurm-job.sh >>');
    expect(script).toMatch(/\*\) echo .* >&2; exit 1 ;;\nesac\n$/);
    const args = arraySbatchArgs({ sweepId: 's-1', count: 12, parallelism: 4, scriptFile: '/runs/.sweeps/s-1/array-1.sh', cwd: '/w', slurm: { partition: 'gpu' } });
    expect(args).toEqual(['--parsable', '--array=0-11%4', '--job-name=rlrun-s-1', '--output=/dev/null', '--chdir=/w', '--export=ALL', '--partition=gpu', '/runs/.sweeps/s-1/array-1.sh']);
    expect(arraySbatchArgs({ sweepId: 's', count: 3, scriptFile: 'x', cwd: '/', slurm: {} })[1]).toBe('--array=0-2');
  });
});

import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateRuns, generatedId, generatedRecord } from '../lib/registry.mjs';
import { createSandbox, rlRun, runOk } from '../lib/sandbox.mjs';
import { alternate } from '../lib/stats.mjs';

/**
 * `rl-run ls --limit 20` on registries of growing size (written directly, a run.json per run) against
 * `node -e 0` and `ls runsDir | wc -l`; then, on the largest, whether the listing stays right when run directories
 * are removed, edited or damaged by hand.
 */
export async function lsScaling({ sizes, reps }) {
  const sandbox = createSandbox('ls');
  try {
    const options = { env: sandbox.env(), cwd: sandbox.dir };
    const runsDir = path.join(sandbox.dir, 'runs');
    const results = [];
    let made = 0;
    // An empty registry first: what is left above it is what the runs cost.
    for (const size of [0, ...sizes]) {
      const t = Date.now();
      generateRuns(runsDir, made, size);
      made = size;
      const generateMs = Date.now() - t;
      const timings = await alternate(
        {
          rlRun: async () => (await rlRun(['ls', '--limit', '20', '--runs-dir', runsDir], options)).ms,
          node: async () => (await runOk(process.execPath, ['-e', '0'], options)).ms,
          baseline: async () => (await runOk('sh', ['-c', `ls "${runsDir}" | wc -l`], options)).ms,
        },
        reps,
      );
      results.push({ size, generateMs, ...timings });
    }
    const checks = await correctness(runsDir, made, options);
    const [empty, ...sized] = results;
    return { empty, results: sized, checks };
  } finally {
    await sandbox.cleanup();
  }
}

async function correctness(runsDir, count, options) {
  const list = async () => {
    const { stdout, stderr } = await rlRun(['ls', '--json', '--limit', '20', '--runs-dir', runsDir], options);
    return { ids: JSON.parse(stdout).map((r) => r.id), records: JSON.parse(stdout), stderr };
  };
  const newest = (skip) => Array.from({ length: count }, (_, k) => count - 1 - k).filter((i) => !skip.includes(i)).slice(0, 20).map(generatedId);
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const checks = [];

  const before = await list();
  checks.push({ what: 'the 20 newest runs, newest first', ok: same(before.ids, newest([])) });

  rmSync(path.join(runsDir, generatedId(count - 1)), { recursive: true, force: true });
  const removed = await list();
  checks.push({ what: 'the newest run directory removed by hand', ok: same(removed.ids, newest([count - 1])) });

  const edited = { ...generatedRecord(count - 2), tags: ['edited-by-hand'] };
  writeFileSync(path.join(runsDir, edited.id, 'run.json'), JSON.stringify(edited));
  const afterEdit = await list();
  checks.push({ what: 'a run.json edited by hand', ok: same(afterEdit.ids, newest([count - 1])) && afterEdit.records[0]?.tags?.[0] === 'edited-by-hand' });

  writeFileSync(path.join(runsDir, generatedId(count - 3), 'run.json'), '{"id": "trunc');
  const damaged = await list();
  checks.push({
    what: 'a run.json truncated by hand (skipped, with a warning)',
    ok: same(damaged.ids, newest([count - 1, count - 3])) && damaged.stderr.includes(generatedId(count - 3)),
  });
  return checks;
}

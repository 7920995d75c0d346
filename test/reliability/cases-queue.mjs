// Reliability case for the queue (issue 12): 200 random events against a pool of 4 GPUs and
// maxParallel 3, watched from outside by a monitor that reads the records and /proc.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, sleep, waitFor, withSandbox } from './sandbox.mjs';
import { mulberry32 } from '../support/mulberry32.mjs';

const { planDispatch } = await import(path.join(ROOT, 'dist', 'queue', 'plan.js'));

const POOL = [0, 1, 2, 3];
const MAX_PARALLEL = 3;
const FINAL = new Set(['succeeded', 'failed', 'stopped', 'lost']);

// Ends by itself after a short random time, or at once when the test drops `end` (exit 0) or
// `crash` (exit 3) in its run directory.
const SCRIPT = `import os, random, sys, time
d = os.environ["RL_RUN_DIR"]
print("CVD=" + repr(os.environ.get("CUDA_VISIBLE_DEVICES")), flush=True)
print("start", flush=True)
deadline = time.time() + float(sys.argv[1])
while time.time() < deadline:
    if os.path.exists(os.path.join(d, "crash")):
        sys.exit(3)
    if os.path.exists(os.path.join(d, "end")):
        break
    time.sleep(0.02)
`;

/** A small seeded generator, so a failing sequence can be replayed with RL_RUN_QUEUE_SEED. */
const random = mulberry32;

/** Every live process of this sandbox's runs (RL_RUN_DIR inside its runs directory), by run id: [{pid, script}] (script: not our runner). */
function processesByRun(runsDir) {
  const byRun = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let environ;
    let cmdline;
    let stat;
    try {
      environ = readFileSync(`/proc/${name}/environ`, 'latin1');
      // The other two only for this sandbox's processes: the machine has hundreds.
      if (!environ.includes(`RL_RUN_DIR=${runsDir}/`)) continue;
      cmdline = readFileSync(`/proc/${name}/cmdline`, 'latin1');
      stat = readFileSync(`/proc/${name}/stat`, 'latin1');
    } catch {
      continue;
    }
    if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') continue;
    const vars = environ.split('\0');
    const entry = vars.find((e) => e.startsWith('RL_RUN_ID='));
    if (!entry || !vars.some((v) => v.startsWith(`RL_RUN_DIR=${runsDir}/`))) continue;
    const id = entry.slice('RL_RUN_ID='.length);
    if (!byRun.has(id)) byRun.set(id, []);
    // The script itself: python running q.py (pyenv's shims run a few bash and pyenv processes first).
    byRun.get(id).push({ pid: Number(name), script: /python3?(\.\d+)?$/.test(cmdline.split('\0')[0]) && cmdline.includes('q.py') });
  }
  return byRun;
}

function readRecords(runsDir) {
  const records = new Map();
  let names = [];
  try {
    names = readdirSync(runsDir);
  } catch {
    return records;
  }
  for (const name of names) {
    if (name.startsWith('.')) continue;
    try {
      records.set(name, JSON.parse(readFileSync(path.join(runsDir, name, 'run.json'), 'utf8')));
    } catch {
      // being written: seen on the next look
    }
  }
  return records;
}

export function queueInvariants(events = 200, seed = Number(process.env.RL_RUN_QUEUE_SEED ?? 12)) {
  return withSandbox(async (sandbox) => {
    const project = path.join(sandbox.dir, 'p');
    mkdirSync(project);
    writeFileSync(path.join(project, 'runs.config.json'), JSON.stringify({ runsDir: '../runs', queue: { maxParallel: MAX_PARALLEL, gpus: POOL, runsPerGpu: 1 } }));
    writeFileSync(path.join(project, 'q.py'), SCRIPT);
    const rand = random(seed);
    const pick = (list) => list[Math.floor(rand() * list.length)];
    const ids = [];
    const counts = { start: 0, stop: 0, end: 0, crash: 0, kill: 0 };
    const errors = [];
    const kills = [];

    // The monitor: what runs (scripts alive), on which GPUs, and who waits while it could start.
    const seen = { maxRunning: 0, maxPerGpu: 0, over: 0, gpuOver: 0, twice: 0, longestWait: 0, longestWaitAfterKill: 0, late: [] };
    const readySince = new Map();
    let monitoring = true;
    const monitor = (async () => {
      while (monitoring) {
        const records = readRecords(sandbox.runsDir);
        const procs = processesByRun(sandbox.runsDir);
        const now = Date.now();
        const scripts = [...procs].filter(([, list]) => list.some((p) => p.script));
        seen.maxRunning = Math.max(seen.maxRunning, scripts.length);
        if (scripts.length > MAX_PARALLEL) seen.over++;
        const perGpu = new Map();
        for (const [id, list] of scripts) {
          if (list.filter((p) => p.script).length > 1) seen.twice++;
          for (const gpu of records.get(id)?.gpus ?? []) perGpu.set(gpu, (perGpu.get(gpu) ?? 0) + 1);
        }
        const most = Math.max(0, ...perGpu.values());
        seen.maxPerGpu = Math.max(seen.maxPerGpu, most);
        if (most > 1) seen.gpuOver++;
        // Who holds a slot, by the dispatcher's own rule; then who the plan says should start now.
        const active = [];
        const waiting = [];
        for (const [id, record] of records) {
          const state = record.status.state;
          if (state === 'queued') waiting.push({ id, priority: record.queue.priority, enqueuedAt: record.queue.enqueuedAt, after: [], gpus: record.queue.gpus });
          // Resources are free once no process of the run lives, whatever its record still says: a run
          // whose runner and script were killed with kill -9 says running until someone notices.
          else if (state === 'starting' || procs.has(id)) active.push({ id, gpus: record.gpus ?? [] });
        }
        const settings = { maxParallel: MAX_PARALLEL, pool: POOL, runsPerGpu: 1 };
        const ready = new Set(planDispatch({ settings, active, waiting, stateOf: () => 'succeeded' }).filter((d) => d.kind === 'start').map((d) => d.id));
        for (const id of [...readySince.keys()]) if (!ready.has(id)) readySince.delete(id);
        for (const id of ready) {
          if (!readySince.has(id)) readySince.set(id, now);
          const waited = now - readySince.get(id);
          const afterKill = kills.some((at) => at <= readySince.get(id) + 100 && readySince.get(id) - at < 10_000);
          if (afterKill) seen.longestWaitAfterKill = Math.max(seen.longestWaitAfterKill, waited);
          else seen.longestWait = Math.max(seen.longestWait, waited);
          if (waited > (afterKill ? 10_000 : 2_000) && !seen.late.includes(id)) seen.late.push(id);
        }
        await sleep(100);
      }
    })();

    const live = () => {
      const records = readRecords(sandbox.runsDir);
      return ids.filter((id) => records.get(id) && !FINAL.has(records.get(id).status.state)).map((id) => records.get(id));
    };
    const running = () => live().filter((r) => r.status.state === 'running' && r.pid);

    const act = async (kind) => {
      if (kind === 'start') {
        const gpus = pick([0, 0, 1, 1, 1, 2, 3]);
        const result = await sandbox.cli(['start', '--json', 'q.py', '--gpus', String(gpus), '--priority', String(pick([0, 0, 1])), '--', (0.2 + rand() * 0.8).toFixed(2)], { cwd: project, timeout: 30_000 });
        if (result.code !== 0) return errors.push(`start exited ${result.code}: ${result.stderr.trim()}`);
        ids.push(JSON.parse(result.stdout).id);
      } else if (kind === 'stop') {
        const target = pick(live());
        if (!target) return;
        const result = await sandbox.cli(['stop', target.id, '--timeout', '2s'], { cwd: project, timeout: 30_000 });
        if (result.code !== 0) errors.push(`stop ${target.id} (${target.status.state}) exited ${result.code}: ${result.stderr.trim()}`);
      } else if (kind === 'end' || kind === 'crash') {
        const target = pick(running());
        if (!target) return;
        writeFileSync(path.join(sandbox.runsDir, target.id, kind), '');
        await sleep(50);
      } else if (kind === 'kill') {
        const target = pick(running());
        if (!target) return;
        kills.push(Date.now());
        for (const pid of [target.runner?.pid, target.pid]) {
          try {
            if (pid) process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
      counts[kind]++;
    };

    // Starts and stops are CLI calls (~0.3 s of CPU each): kept to about 80 so the case stays short.
    const kinds = Array.from({ length: events }, () => {
      const r = rand();
      return r < 0.3 ? 'start' : r < 0.4 ? 'stop' : r < 0.65 ? 'end' : r < 0.9 ? 'crash' : 'kill';
    });
    const began = Date.now();
    // Three at a time, as a user with a few terminals (and a sweep driver) would.
    let next = 0;
    await Promise.all(
      Array.from({ length: 3 }, async () => {
        while (next < kinds.length) await act(kinds[next++]);
      }),
    );
    const eventsTook = Date.now() - began;
    let drained = true;
    try {
      await waitFor('every run to end', () => live().length === 0, 60_000);
    } catch {
      drained = false;
    }
    // Let the monitor see the very end, then stop it.
    await sleep(300);
    monitoring = false;
    await monitor;

    const records = readRecords(sandbox.runsDir);
    let ran = 0;
    let wrongGpu = 0;
    for (const id of ids) {
      const record = records.get(id);
      let out = '';
      try {
        out = readFileSync(path.join(sandbox.runsDir, id, 'stdout.log'), 'utf8');
      } catch {}
      const starts = out.split('\n').filter((line) => line === 'start').length;
      if (starts > 1 || (record?.attempts?.length ?? 0) > 1) seen.twice++;
      if (starts === 1) {
        ran++;
        const cvd = /CVD='([^']*)'/.exec(out)?.[1];
        if (cvd !== (record.gpus ?? []).join(',')) wrongGpu++;
      }
    }
    const notFinal = ids.filter((id) => !FINAL.has(records.get(id)?.status.state));
    const ok =
      errors.length === 0 && drained && seen.over === 0 && seen.gpuOver === 0 && seen.twice === 0 && seen.late.length === 0 && notFinal.length === 0 && wrongGpu === 0;
    const s = (ms) => (ms / 1000).toFixed(2);
    return {
      ok,
      line:
        `queue invariants: ${events} events (${counts.start} starts, ${counts.stop} stops, ${counts.end} ends, ${counts.crash} crashes, ${counts.kill} kill -9) seed ${seed}, ` +
        `${ids.length} runs, ${ran} ran: max running ${seen.maxRunning}/${MAX_PARALLEL} (${seen.over} over), max per GPU ${seen.maxPerGpu}/1 (${seen.gpuOver} over), ` +
        `${seen.twice} started twice, ${seen.late.length} waited too long with resources free (longest ${s(seen.longestWait)} s; after a kill -9 ${s(seen.longestWaitAfterKill)} s), ` +
        `${notFinal.length} not final, ${wrongGpu} saw the wrong CUDA_VISIBLE_DEVICES; events ${s(eventsTook)} s, drained ${s(Date.now() - began - eventsTook)} s later` +
        (errors.length ? `; errors: ${errors.slice(0, 3).join(' | ')}` : ''),
    };
  });
}

export const CASES = [['queue invariants', () => queueInvariants(200)]];

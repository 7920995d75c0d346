import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SCRIPTS, createSandbox, pm2, rlRun, run, waitFor } from '../lib/sandbox.mjs';
import { summarize } from '../lib/stats.mjs';

const JOB = path.join(SCRIPTS, 'slot_job.py');

/** `start <t>` / `end <t>` lines of the jobs' shared log, per job. */
function spans(log) {
  const byJob = new Map();
  const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
  for (const line of text.split('\n')) {
    const [tag, what, at] = line.split(' ');
    if (!tag || !what) continue;
    if (!byJob.has(tag)) byJob.set(tag, { starts: 0 });
    const job = byJob.get(tag);
    if (what === 'start') {
      job.starts++;
      job.start = Number(at);
    } else job.end = Number(at);
  }
  return byJob;
}

/** The most jobs running at once, from their own start and end times. */
function maxConcurrent(jobs) {
  const edges = [];
  for (const job of jobs.values()) if (job.start && job.end) edges.push([job.start, 1], [job.end, -1]);
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let live = 0;
  let most = 0;
  for (const [, step] of edges) {
    live += step;
    most = Math.max(most, live);
  }
  return most;
}

/**
 * The queue (issue 12). (1) Dispatch latency: with one slot, a run waiting on a file holds it and a
 * second run is queued; the file is dropped, and the figure is the time from the holder's own `end`
 * (its last act) to the queued run's own `start` (its first: python's start included). (2) 20 jobs
 * of `seconds` each through 4 slots, from the first submission to the last end: `rl-run start` in a
 * loop with queue.maxParallel 4, a bash loop of `pm2 start` (no limit: what users do today), and
 * task-spooler with `tsp -S 4`; each counts its over-subscription (most jobs at once above 4) and
 * jobs started more than once.
 */
export async function queueBench({ reps, jobs = 20, seconds = 1 }) {
  const sandbox = createSandbox('queue');
  try {
    const env = sandbox.env();
    const project = (name, config) => {
      const dir = path.join(sandbox.dir, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'runs.config.json'), JSON.stringify({ runsDir: './runs', queue: config }));
      return dir;
    };
    const start = async (cwd, args) => JSON.parse((await rlRun(['start', '--json', ...args], { env, cwd })).stdout);

    // (1) latency
    const one = project('latency', { maxParallel: 1 });
    const latency = [];
    for (let rep = 0; rep < reps + 1; rep++) {
      const log = path.join(one, `latency-${rep}.log`);
      const go = path.join(one, `go-${rep}`);
      const holder = await start(one, ['--interpreter', 'python3', JOB, '--', log, go]);
      const waiting = await start(one, ['--interpreter', 'python3', JOB, '--', log, '0']);
      if (waiting.state !== 'queued') throw new Error(`the second run was not queued (${waiting.state})`);
      writeFileSync(go, '');
      const done = await waitFor('the queued run to start', () => {
        const s = spans(log);
        return s.get(holder.id)?.end && s.get(waiting.id)?.start ? s : null;
      }, 30_000, 5);
      // The first repetition warms the dispatcher and the daemon; not counted.
      if (rep > 0) latency.push((done.get(waiting.id).start - done.get(holder.id).end) * 1000);
    }

    // (2) 20 jobs through 4 slots, three ways; then each is submitted again the way a user re-runs
    // it after a crash (rl-run: `sweep resume`; the others: the same loop), counting jobs run twice.
    const through = {};
    const allEnded = (log, starts) => () => {
      const seen = spans(log);
      return seen.size === jobs && [...seen.values()].every((j) => j.end && j.starts >= starts) ? seen : null;
    };
    // A job run again by a re-run is a new process (a new tag in the log): all 2 × jobs ended.
    const rerunEnded = (log) => () => {
      const seen = spans(log);
      return seen.size >= 2 * jobs && [...seen.values()].every((j) => j.end) ? seen : null;
    };
    {
      const dir = project('rl-run', { maxParallel: 4 });
      const log = path.join(dir, 'jobs.log');
      const t0 = Date.now();
      const sweep = JSON.parse((await rlRun(['sweep', JOB, '--seeds', String(jobs), '--json', '--', log, String(seconds)], { env, cwd: dir })).stdout);
      const s = await waitFor('all jobs to end', allEnded(log, 1), 120_000, 10);
      through.rlRun = measure(s, t0, jobs);
      const again = JSON.parse((await rlRun(['sweep', 'resume', sweep.id, '--json'], { env, cwd: dir })).stdout);
      through.rlRun.rerunStarted = (again.started ?? []).length;
    }
    // (3) `rl-run sweep` of 100 cells into a queue with 2 slots: it queues and returns.
    let sweep100;
    {
      const dir = project('sweep-100', { maxParallel: 2 });
      const log = path.join(dir, 'jobs.log');
      const go = path.join(dir, 'go');
      const t0 = performance.now();
      const made = JSON.parse((await rlRun(['sweep', JOB, '--grid', 'x=a,b,c,d', '--seeds', '25', '--json', '--', log, go], { env, cwd: dir })).stdout);
      sweep100 = { ms: performance.now() - t0, cells: (made.started ?? []).length };
      await rlRun(['stop', '--sweep', made.id], { env, cwd: dir });
    }
    {
      const dir = path.join(sandbox.dir, 'pm2-loop');
      mkdirSync(dir);
      const log = path.join(dir, 'jobs.log');
      const t0 = Date.now();
      for (let i = 0; i < jobs; i++) await pm2(['start', JOB, '--name', `job${i}`, '--interpreter', 'python3', '--no-autorestart', '--', log, String(seconds)], { env, cwd: dir });
      const s = await waitFor('all jobs to end', () => {
        const seen = spans(log);
        return seen.size === jobs && [...seen.values()].every((j) => j.end) ? seen : null;
      }, 120_000, 10);
      through.pm2 = measure(s, t0, jobs);
      for (let i = 0; i < jobs; i++) await pm2(['start', JOB, '--name', `job${i}`, '--interpreter', 'python3', '--no-autorestart', '--', log, String(seconds)], { env, cwd: dir });
      through.pm2.rerunStarted = (await waitFor('the re-run to end', rerunEnded(log), 120_000, 10)).size - jobs;
      await pm2(['delete', 'all'], { env, cwd: dir });
    }
    {
      const dir = path.join(sandbox.dir, 'tsp');
      mkdirSync(dir);
      const log = path.join(dir, 'jobs.log');
      // Its own server, on a socket in the sandbox; killed with -K at the end.
      const tspEnv = { ...env, TS_SOCKET: path.join(dir, 'ts.sock'), TMPDIR: dir };
      await run('tsp', ['-S', '4'], { env: tspEnv });
      const t0 = Date.now();
      for (let i = 0; i < jobs; i++) await run('tsp', ['python3', JOB, log, String(seconds)], { env: tspEnv });
      const s = await waitFor('all jobs to end', () => {
        const seen = spans(log);
        return seen.size === jobs && [...seen.values()].every((j) => j.end) ? seen : null;
      }, 120_000, 10);
      through.tsp = measure(s, t0, jobs);
      for (let i = 0; i < jobs; i++) await run('tsp', ['python3', JOB, log, String(seconds)], { env: tspEnv });
      through.tsp.rerunStarted = (await waitFor('the re-run to end', rerunEnded(log), 120_000, 10)).size - jobs;
      await run('tsp', ['-K'], { env: tspEnv });
    }
    return { latency: { ...summarize(latency), samples: latency }, through, sweep100, jobs, seconds, slots: 4 };
  } finally {
    await sandbox.cleanup();
  }
}

/** From the first submission (epoch ms) to the last job's own end, the most at once, and the jobs started twice. */
function measure(jobs, t0, expected) {
  const lastEnd = Math.max(...[...jobs.values()].map((j) => j.end));
  return {
    ms: lastEnd * 1000 - t0,
    most: maxConcurrent(jobs),
    twice: [...jobs.values()].filter((j) => j.starts > 1).length + Math.max(0, jobs.size - expected),
  };
}

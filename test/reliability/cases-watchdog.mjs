// Reliability cases of the watchdog and notifications: how soon a NaN is flagged and posted, that
// a failed run is posted once however many commands look at it, and what the watching costs the runner.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { startJson, waitFor, withSandbox } from './sandbox.mjs';

const RUNS = 4;

async function webhook() {
  const posts = [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => {
      posts.push({ at: Date.now(), path: request.url, body: JSON.parse(text) });
      response.writeHead(200).end('ok');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, posts, url: (p) => `http://127.0.0.1:${server.address().port}${p}` };
}

function project(sandbox, name, config) {
  const dir = path.join(sandbox.dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'runs.config.json'), JSON.stringify({ runsDir: '../runs', ...config }));
  return dir;
}

/** NaN → event and POST latency over RUNS runs; a failed run posted once with 8 `ls` racing its end. */
async function nanAndOnce() {
  const hook = await webhook();
  try {
    return await withSandbox(async (sandbox) => {
      const cwd = project(sandbox, 'p', { watchdog: { stall: false }, notify: { on: ['watchdog', 'failed'], webhook: hook.url('/w') } });
      const script = sandbox.write(
        'nan.py',
        'import os, sys, time\nprint("step=1 loss=0.5", flush=True)\ntime.sleep(2)\nt = time.time()\nprint("step=2 loss=nan", flush=True)\nopen(os.path.join(os.environ["RL_RUN_DIR"], "nan-at"), "w").write(str(t))\ntime.sleep(3)\nsys.exit(1)\n',
      );
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await startJson(sandbox, [script], { cwd }));
      const eventMs = [];
      const postMs = [];
      for (const run of runs) {
        const post = await waitFor('the NaN POST', () => hook.posts.find((p) => p.body.run.id === run.id && p.body.event.kind === 'nan'), 30_000);
        const nanAt = Number(readFileSync(path.join(run.dir, 'nan-at'), 'utf8')) * 1000;
        const event = sandbox.record(run.id).events[0];
        eventMs.push(Date.parse(event.at) - nanAt);
        postMs.push(post.at - nanAt);
      }
      // Every run fails 3 s after its NaN, while 8 `ls` run at once, again and again.
      const listing = [];
      for (let round = 0; round < 3; round++) {
        await Promise.all(Array.from({ length: 8 }, () => sandbox.cli(['ls'], { cwd }).then((r) => listing.push(r.code))));
      }
      await waitFor('every failed POST', () => runs.every((run) => hook.posts.some((p) => p.body.run.id === run.id && p.body.event.kind === 'failed')), 30_000);
      await Promise.all(Array.from({ length: 8 }, () => sandbox.cli(['ls'], { cwd }).then((r) => listing.push(r.code))));
      // Each deliverer says when it is done; then nothing more can come.
      await waitFor('the deliverers to finish', () => runs.every((run) => (readFileSync(path.join(run.dir, 'runner.log'), 'utf8').match(/notify: sent/g) ?? []).length === 2), 30_000);
      const counts = runs.map((run) => hook.posts.filter((p) => p.body.run.id === run.id).length);
      const worstEvent = Math.max(...eventMs);
      const worstPost = Math.max(...postMs);
      const ok = worstEvent < 5_000 && worstPost < 5_000 && counts.every((n) => n === 2) && listing.every((code) => code === 0);
      return {
        ok,
        line: `watchdog NaN and notify once: ${RUNS} runs, NaN event ${(Math.min(...eventMs) / 1000).toFixed(1)}-${(worstEvent / 1000).toFixed(1)} s and its POST ${(Math.min(...postMs) / 1000).toFixed(1)}-${(worstPost / 1000).toFixed(1)} s after the line (limit 5 s); POSTs per run (nan + failed) ${counts.join(',')} with ${listing.length} ls racing the ends`,
      };
    });
  } finally {
    hook.server.close();
  }
}

/** CPU time of the runner on a chatty run (metric lines as fast as Python prints them), with and without the watchdog. */
async function runnerCost() {
  return withSandbox(async (sandbox) => {
    const lines = 200_000;
    const script = sandbox.write(
      'chatty.py',
      `import time\nfor i in range(${lines}):\n    print(f"global_step={i}, episodic_return={i % 97}.5, loss=0.{i % 89}")\nprint("done", flush=True)\ntime.sleep(10)\n`,
    );
    const cpu = {};
    for (const [name, config] of [
      ['off', {}],
      ['on', { watchdog: {} }],
    ]) {
      const cwd = project(sandbox, name, config);
      const run = await startJson(sandbox, [script], { cwd });
      await waitFor('the script to finish printing', () => readFileSync(path.join(run.dir, 'stdout.log'), 'utf8').endsWith('done\n'), 120_000);
      // The watchdog reads at most 16 MB a second: the figure is taken once it has caught up with
      // the log, i.e. once the runner has gone idle (at most a tick of CPU over 300 ms).
      const runner = sandbox.record(run.id).runner.pid;
      const ticks = () => {
        const stat = readFileSync(`/proc/${runner}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(fields[11]) + Number(fields[12]);
      };
      let last = ticks();
      const settled = await waitFor('the runner to go idle', async () => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        const now = ticks();
        const idle = now - last <= 1;
        last = now;
        return idle ? { now } : null;
      }, 8_000);
      cpu[name] = (settled.now * 1000) / 100;
      const size = readFileSync(path.join(run.dir, 'stdout.log')).length;
      cpu.mb = size / 1e6;
    }
    return {
      ok: cpu.on - cpu.off < 5_000,
      line: `watchdog runner cost: ${lines} metric lines (${cpu.mb.toFixed(1)} MB) cost the runner ${cpu.off} ms CPU without the watchdog, ${cpu.on} ms with it`,
    };
  });
}

export const CASES = [
  ['watchdog NaN and notify once', nanAndOnce],
  ['watchdog runner cost', runnerCost],
];

#!/usr/bin/env python3
"""A stand-in for an RL training script, with no dependencies.

It behaves the way real ones do where rl-run is concerned:
  * prints metric lines (`global_step=2048, episodic_return=-112.5`) and SB3-style tables,
  * writes progress.csv in Stable-Baselines3's format into $RL_RUN_DIR,
  * on SIGINT saves a checkpoint file and exits 0 (SIGTERM too),
  * `--fail-at N` exits 1 at step N; `--workers K` forks K environment workers.

    python3 examples/train.py --lr 3e-4 --steps 20000 --step-time 0.01
"""
import argparse
import csv
import json
import math
import os
import random
import signal
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=3e-4)
parser.add_argument("--steps", type=int, default=20000)
parser.add_argument("--n-steps", type=int, default=2048, help="steps per rollout")
parser.add_argument("--step-time", type=float, default=0.05, help="seconds per rollout")
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--fail-at", type=int, default=None)
parser.add_argument("--workers", type=int, default=0)
parser.add_argument("--checkpoint-time", type=float, default=0.2, help="seconds a checkpoint takes")
args = parser.parse_args()

run_dir = os.environ.get("RL_RUN_DIR", ".")
random.seed(args.seed)
stopping = False


def request_stop(signum, _frame):
    global stopping
    stopping = signum


signal.signal(signal.SIGINT, request_stop)
signal.signal(signal.SIGTERM, request_stop)

workers = []
for _ in range(args.workers):
    pid = os.fork()
    if pid == 0:  # an environment worker: lives until killed
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        while True:
            time.sleep(1)
    workers.append(pid)

print(f"training with learning rate {args.lr} and seed {args.seed} in {run_dir}", flush=True)
fields = ["rollout/ep_len_mean", "rollout/ep_rew_mean", "time/fps", "time/iterations",
          "time/time_elapsed", "time/total_timesteps", "train/learning_rate", "train/loss"]
progress = open(os.path.join(run_dir, "progress.csv"), "w", newline="")
writer = csv.DictWriter(progress, fieldnames=fields)
writer.writeheader()

start = time.time()
step = 0
iteration = 0
# Higher learning rates learn faster here, up to a point: enough for `compare` to show a difference.
speed = min(args.lr / 3e-4, 3.0)
while step < args.steps and not stopping:
    time.sleep(args.step_time)
    iteration += 1
    step += args.n_steps
    reward = -200 + 300 * (1 - math.exp(-speed * step / 50000)) + random.gauss(0, 5)
    loss = 1.0 / (1 + speed * step / 10000) + random.random() * 0.01
    elapsed = time.time() - start
    print(f"global_step={step}, episodic_return={reward:.2f}, loss={loss:.4f}", flush=True)
    row = {"rollout/ep_len_mean": 200, "rollout/ep_rew_mean": round(reward, 3),
           "time/fps": int(step / max(elapsed, 1e-6)), "time/iterations": iteration,
           "time/time_elapsed": int(elapsed), "time/total_timesteps": step,
           "train/learning_rate": args.lr, "train/loss": round(loss, 5)}
    writer.writerow(row)
    progress.flush()
    if iteration % 5 == 0:
        print("-" * 37)
        print("| rollout/            |             |")
        print(f"|    ep_rew_mean      | {reward:<11.1f} |")
        print("| time/               |             |")
        print(f"|    total_timesteps  | {step:<11} |")
        print("-" * 37, flush=True)
    if args.fail_at is not None and step >= args.fail_at:
        print(f"error: diverged at step {step} (loss is nan)", file=sys.stderr, flush=True)
        sys.exit(1)

if stopping:
    time.sleep(args.checkpoint_time)
    with open(os.path.join(run_dir, "checkpoint.json"), "w") as f:
        json.dump({"step": step, "lr": args.lr}, f)
    print(f"caught signal {stopping}: saved checkpoint at step {step}", flush=True)
for pid in workers:
    os.kill(pid, signal.SIGTERM)
print("done", flush=True)

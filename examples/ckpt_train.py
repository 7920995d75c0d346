#!/usr/bin/env python3
"""A training script that checkpoints and resumes, the way rl-run's resume expects (no dependencies).

  * prints `step=K loss=V` once per step,
  * every --ckpt-every steps saves $RL_RUN_DIR/checkpoints/step_K.pt atomically: written to a
    temporary name in the same folder, flushed, fsynced, then renamed into place,
  * `--resume PATH` loads it, prints `resumed from step K` and goes on from step K+1; a checkpoint
    that is not whole makes it exit 3 saying so,
  * on SIGINT/SIGTERM it saves a checkpoint and exits 0,
  * `--crash-once-at N` exits 1 at step N the first time only; `--crash-at-start` exits 1 at once.

Use with rl-run:
    rl-run start examples/ckpt_train.py --resume-checkpoint 'checkpoints/*.pt' \\
        --resume-args '--resume {checkpoint}' -- --steps 1000
"""
import argparse
import json
import math
import os
import signal
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--steps", type=int, default=1000)
parser.add_argument("--step-time", type=float, default=0.02)
parser.add_argument("--ckpt-every", type=int, default=10)
parser.add_argument("--ckpt-bytes", type=int, default=1024, help="padding, so a write takes a while")
parser.add_argument("--ckpt-write-time", type=float, default=0.0, help="seconds spent writing one checkpoint")
parser.add_argument("--resume", default=None)
parser.add_argument("--crash-once-at", type=int, default=None)
parser.add_argument("--crash-at-start", action="store_true")
args = parser.parse_args()

run_dir = os.environ.get("RL_RUN_DIR", ".")
ckpt_dir = os.path.join(run_dir, "checkpoints")
os.makedirs(ckpt_dir, exist_ok=True)
stopping = False


def request_stop(signum, _frame):
    global stopping
    stopping = True


signal.signal(signal.SIGINT, request_stop)
signal.signal(signal.SIGTERM, request_stop)

if args.crash_at_start:
    print("crashing at start", file=sys.stderr, flush=True)
    sys.exit(1)


def save(step):
    body = json.dumps({"step": step, "pad": "x" * args.ckpt_bytes, "complete": True}).encode()
    final = os.path.join(ckpt_dir, f"step_{step:08d}.pt")
    temp = os.path.join(ckpt_dir, f".step_{step:08d}.pt.tmp")
    with open(temp, "wb") as f:
        chunks = 8
        size = (len(body) + chunks - 1) // chunks
        for i in range(chunks):
            f.write(body[i * size:(i + 1) * size])
            f.flush()
            if args.ckpt_write_time:
                time.sleep(args.ckpt_write_time / chunks)
        os.fsync(f.fileno())
    os.rename(temp, final)


step = 0
if args.resume:
    try:
        with open(args.resume, "rb") as f:
            state = json.loads(f.read())
        assert state.get("complete") is True
        step = int(state["step"])
    except Exception as error:  # a half-written checkpoint must never be taken as a state
        print(f"checkpoint {args.resume} is not whole: {error}", file=sys.stderr, flush=True)
        sys.exit(3)
    print(f"resumed from step {step}", flush=True)

while step < args.steps and not stopping:
    time.sleep(args.step_time)
    step += 1
    print(f"step={step} loss={1.0 / math.sqrt(step):.5f}", flush=True)
    if args.crash_once_at is not None and step == args.crash_once_at:
        marker = os.path.join(run_dir, "crashed-once")
        if not os.path.exists(marker):
            open(marker, "w").close()
            print(f"crashing at step {step}", file=sys.stderr, flush=True)
            sys.exit(1)
    if step % args.ckpt_every == 0:
        save(step)

if stopping:
    save(step)
    print(f"stopped at step {step}, checkpoint saved", flush=True)

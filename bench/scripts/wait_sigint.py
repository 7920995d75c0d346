"""Sleeps until SIGINT, then exits at once, recording the epoch time of its exit in BENCH_TIMES."""
import os
import signal
import time


def leave(*_):
    with open(os.environ["BENCH_TIMES"], "w") as f:
        f.write(f"{time.time()}\n")
    os._exit(0)


signal.signal(signal.SIGINT, leave)
while True:
    time.sleep(3600)

"""Waits BENCH_DELAY seconds, prints one line carrying the epoch time it was printed, then sleeps."""
import os
import signal
import sys
import time

signal.signal(signal.SIGINT, lambda *_: os._exit(0))
time.sleep(float(os.environ.get("BENCH_DELAY", "1")))
print(f"first-line {time.time()}")
sys.stdout.flush()
time.sleep(600)

"""A queued job for the queue bench: appends `start <epoch>` to the log given, then waits (a number:
that many seconds; a path: until that file exists), then appends `end <epoch>` and exits."""
import os
import sys
import time

log, wait = sys.argv[1], sys.argv[2]
tag = os.environ.get("RL_RUN_ID") or str(os.getpid())


def note(what):
    with open(log, "a") as f:
        f.write(f"{tag} {what} {time.time()}\n")


note("start")
try:
    time.sleep(float(wait))
except ValueError:
    while not os.path.exists(wait):
        time.sleep(0.005)
note("end")

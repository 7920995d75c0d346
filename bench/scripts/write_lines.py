"""Writes BENCH_BYTES of numbered lines to stdout, one print() each, as a chatty training loop does.
Records "<lines> <t_first_write> <t_last_write>" (epoch seconds) in the file BENCH_TIMES."""
import os
import time

total = int(os.environ.get("BENCH_BYTES", str(1 << 30)))
pad = "x" * 89  # 10 digits + space + 89 + "\n" = 101 bytes a line, about what the issue measured
n = 0
written = 0
t0 = time.time()
while written < total:
    print(f"{n:010d} {pad}")
    written += 101
    n += 1
t1 = time.time()
with open(os.environ["BENCH_TIMES"], "w") as f:
    f.write(f"{n} {t0} {t1}\n")

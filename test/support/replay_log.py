"""Replays a training run from saved output: copies files into the run directory (RL_RUN_DIR), then
writes one log to stdout and another to stderr, as the script that produced them did."""
import argparse
import os
import shutil
import sys

parser = argparse.ArgumentParser()
parser.add_argument('--stdout')
parser.add_argument('--stderr')
parser.add_argument('--copy', action='append', default=[], help='FILE[:NAME] into the run directory')
args, _ = parser.parse_known_args()
run_dir = os.environ['RL_RUN_DIR']
for spec in args.copy:
    source, _, name = spec.partition(':')
    shutil.copy(source, os.path.join(run_dir, name or os.path.basename(source)))
for path, stream in ((args.stdout, sys.stdout), (args.stderr, sys.stderr)):
    if path:
        with open(path) as f:
            stream.write(f.read())
        stream.flush()

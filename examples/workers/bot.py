#!/usr/bin/env python3
"""A sample worker: ticks once a second, logs to stdout, warnings to stderr, stops cleanly on SIGTERM."""
import os
import signal
import sys
import time

running = True


def stop(signum, frame):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)
role = os.environ.get("BOT_ROLE", "worker")
tick = 0
while running:
    tick += 1
    print(f"[{role}] tick {tick}", flush=True)
    if tick % 10 == 0:
        print(f"[{role}] {tick} ticks done", file=sys.stderr, flush=True)
    time.sleep(1)
print(f"[{role}] stopping after {tick} ticks", flush=True)

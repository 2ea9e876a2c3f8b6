#!/usr/bin/env python3
"""
The CPU time of a command and of every process it starts, orphans included: `/usr/bin/time` and
the shell's `time` count only the children their parent waited for, and a test that kills a process
group (npm, the runtime under it, its JVM) leaves orphans whose CPU neither sees. This process
becomes a child subreaper (Linux prctl), so orphans are reparented to it and reaped here, and
RUSAGE_CHILDREN holds the whole tree. Prints "user system wall exit" (seconds) on stderr.

usage: python3 bench/cpu-of-tree.py <command> [args...]
"""
import ctypes
import os
import resource
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36

libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")
started = time.time()
code = subprocess.call(sys.argv[1:])
wall = time.time() - started
# Orphans still running (a watchdog's grace period) are waited for, a minute at most.
deadline = time.time() + 60
while True:
    try:
        pid, _ = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        break
    if pid == 0:
        if time.time() > deadline:
            print("cpu-of-tree: processes still running after a minute, not counted", file=sys.stderr)
            break
        time.sleep(0.05)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{usage.ru_utime:.1f} {usage.ru_stime:.1f} {wall:.1f} {code}", file=sys.stderr)
sys.exit(code)

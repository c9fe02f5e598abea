"""Timing a command as a fresh child process: wall seconds and its peak memory."""

from __future__ import annotations

import os
import subprocess
import time


def timed(command: list[str], env: dict[str, str] | None = None,
          quiet: bool = False) -> tuple[float, float]:
    """Run `command` to its end; (wall seconds, peak RSS in MB). A failure stops the benchmark."""
    start = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL if quiet else None)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command[:5])} ...")
    return elapsed, usage.ru_maxrss / 1024

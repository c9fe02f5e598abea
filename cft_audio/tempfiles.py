"""Hidden temp files beside a finished file, locked while in use, so a killed run's are found.

A render writes each file as `.NAME.RANDOM.cft.part` in the target's folder and renames it
into place. While a process works on it, it holds an advisory lock on it (`flock`, released
by the system when the process dies, even by `kill -9`). `sweep_stale` removes the ones no
living process holds: what a killed render left. Where there are no such locks (Windows),
only leftovers older than STALE_WITHOUT_LOCKS are removed.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX
    fcntl = None  # type: ignore[assignment]

TEMP_SUFFIX = ".part"
"""How every temp file the tool writes beside its results ends."""
MARK = ".cft"
"""Put before the suffix, so that only our own temp files are ever swept (not a browser's)."""
SETTLING_SECONDS = 0.5
"""A temp file changed this recently is left alone (its writer may be about to lock it)."""
STALE_WITHOUT_LOCKS = 24 * 3600.0
"""Where locks do not exist: age in seconds after which a leftover temp file is removed."""


@contextlib.contextmanager
def locked_temp(target: Path, suffix: str = TEMP_SUFFIX) -> Iterator[Path]:
    """A new private hidden file beside `target`, locked until the block ends.

    The caller renames it into place or removes it; OSError from creating it propagates.
    """
    target = Path(target)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=MARK + suffix,
                                    dir=target.parent)
    try:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield Path(name)
    finally:
        os.close(handle)  # releases the lock


def is_temp(path: Path) -> bool:
    """Whether `path` is named like one of our hidden temp files."""
    name = path.name
    return name.startswith(".") and name.endswith(TEMP_SUFFIX) and f"{MARK}." in name


def sweep_stale(folder: Path) -> int:
    """Remove the hidden temp files in `folder` that no running process holds; return how many."""
    removed = 0
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return 0
    for path in entries:
        if is_temp(path) and _stale(path):
            with contextlib.suppress(OSError):
                path.unlink()
                removed += 1
    return removed


def _stale(path: Path) -> bool:
    """Nobody holds the file's lock and it has not just been made."""
    try:
        if not path.is_file() or path.is_symlink():
            return False
        age = time.time() - path.stat().st_mtime
        if fcntl is None:
            return age > STALE_WITHOUT_LOCKS
        if age < SETTLING_SECONDS:
            return False
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # a living process is writing it
    finally:
        os.close(handle)
    return True

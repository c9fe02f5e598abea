"""Files the tool writes: atomically (hidden locked temp file, then rename), hashed, private.

Every file is written as `.NAME.RANDOM.cft.part` in the target's folder and renamed into
place, readable by its owner only. While a process works on the temp file it holds an
advisory lock on it (`flock`, released by the system when the process dies, even by
`kill -9`). `sweep_stale` removes the ones no living process holds: what a killed render
left. Where there are no such locks (Windows), only leftovers older than
STALE_WITHOUT_LOCKS are removed. Folders that hold clients' recordings are made 0700.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import ExportError, os_reason

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


def publish(temp: Path, target: Path) -> None:
    """Make a finished temp file owner-only (0600) and rename it onto `target` (atomic)."""
    os.chmod(temp, 0o600)
    os.replace(temp, target)


@contextlib.contextmanager
def atomic_path(target: Path, suffix: str = TEMP_SUFFIX) -> Iterator[Path]:
    """A locked hidden temp file beside `target` to write; published onto it if all went well.

    On any failure the temp file is removed and the old `target`, if any, is untouched;
    OSError (from creating, writing or renaming) propagates.
    """
    with locked_temp(target, suffix) as temp:
        try:
            yield temp
            publish(temp, Path(target))
        except BaseException:
            temp.unlink(missing_ok=True)
            raise


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """`atomic_path`, with an OSError turned into an ExportError naming the file."""
    path = Path(path)
    try:
        with atomic_path(path) as temp:
            yield temp
    except OSError as error:
        raise ExportError(f"cannot write {path.name}: {os_reason(error)}") from error


def write_text_atomic(path: Path, text: str) -> Path:
    """Write UTF-8 text through a hidden temp file in the same folder, then rename (mode 0600)."""
    with atomic_file(path) as temp:
        temp.write_text(text, encoding="utf-8", newline="\n")
    return Path(path)


def exists(path: Path) -> bool:
    """Whether `path` exists (links followed); unlike `Path.exists`, OSError other than
    "not found" propagates, so a symlink loop or a denied folder is told as such."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError, ValueError):  # ValueError: a NUL byte
        return False
    return True


def file_sha256(path: Path) -> str:
    """SHA-256 (hex) of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def text_sha256(text: str) -> str:
    """SHA-256 (hex) of a text's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def private_folder(path: Path, exist_ok: bool = True) -> Path:
    """Create `path` and any missing parents, each owner-only (0700) whatever the umask."""
    path = Path(path)
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=exist_ok or folder != path)
        os.chmod(folder, 0o700)
    if not missing and not exist_ok:
        raise FileExistsError(path)
    return path


def folder_bytes(folder: Path) -> int:
    """The size of every file under `folder` (0 when it does not exist)."""
    total = 0
    for path in Path(folder).rglob("*"):
        with contextlib.suppress(OSError):
            if path.is_file():
                total += path.stat().st_size
    return total

"""Reserving a track's name and publishing the track with its sidecars as one unit.

A render holds a *slot*: the hidden file `.STEM.cft.slot` beside its track, made by an
exclusive create (a hard link from a temp file, which never replaces an existing name;
O_EXCL where links fail) and locked (`flock`) while the render lives. Only the holder of a
stem's slot writes files of that stem, so two renders into one folder never pick the same
automatic name, and two renders onto one explicit file take turns. The slot lists the files
the render will publish, last the *commit* file: the record (`.json`) if one is written,
else the audio. Everything is written to hidden temp files first and then renamed into
place, the commit file last; on an explicit overwrite the old commit file, then the old
audio, are removed before. So a record is only ever seen beside the very audio it hashes.
A slot that no living process holds (a killed render) is recovered by the next render into
that folder: if its commit file is missing, the other files it lists are removed (they are
that render's, or the remains of what it was replacing), then the slot itself.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from ..errors import ExportError, os_reason
from ..files import (
    MARK,
    SETTLING_SECONDS,
    STALE_WITHOUT_LOCKS,
    TEMP_SUFFIX,
    file_sha256,
    locked_temp,
    sweep_stale,
)
from ..limits import quoted

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX
    fcntl = None  # type: ignore[assignment]

SLOT_SUFFIX = ".cft.slot"
"""How a slot's hidden file ends: `.STEM.cft.slot`."""
SIDECAR_ORDER = ("vtt", "txt", "json")
"""Sidecars in the order they are published: the record last (it is the commit file)."""
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class Slot:
    """A held reservation of a track's stem: its audio path, temp files, and publishing."""

    def __init__(self, audio: Path, sidecars: tuple[str, ...], handle: int, automatic: bool):
        self.audio = audio
        self.sidecars = sidecars
        self.automatic = automatic
        self._handle, self._path = handle, _slot_path(audio)
        self._held = contextlib.ExitStack()

    def files(self) -> list[Path]:
        """Every file this render publishes, in order: the commit file last."""
        return published_files(self.audio, self.sidecars)

    def temp(self) -> Path:
        """A new locked hidden temp file beside the track, removed unless published."""
        try:
            temp = self._held.enter_context(locked_temp(self.audio))
        except OSError as error:
            raise self._failed(error) from error
        self._held.callback(temp.unlink, missing_ok=True)
        return temp

    def publish(self, audio: Path, texts: Mapping[str, str]) -> Path:
        """Write the sidecar `texts` (by suffix) and rename them and `audio` into place."""
        temps = {self.audio: audio}
        for suffix in self.sidecars:
            target = self.audio.with_suffix(f".{suffix}")
            temps[target] = self.temp()
            try:
                temps[target].write_text(texts[suffix], encoding="utf-8", newline="\n")
            except OSError as error:
                raise self._failed(error, target) from error
        try:
            if not self.automatic:
                _remove_old(self.audio, self.files()[-1], "json" in self.sidecars)
            self._rename_all(temps)
        except OSError as error:
            raise self._failed(error) from error
        return self.audio

    def _rename_all(self, temps: Mapping[Path, Path]) -> None:
        """Rename each temp onto its file, the commit file last; on failure, undo them."""
        done: list[Path] = []
        try:
            for target in self.files():
                os.chmod(temps[target], 0o600)
                (_rename_new if self.automatic else os.replace)(temps[target], target)
                done.append(target)
        except BaseException:
            for target in done:
                target.unlink(missing_ok=True)
            raise

    def _failed(self, error: OSError, target: Path | None = None) -> ExportError:
        return ExportError(f"cannot write {(target or self.audio).name}: {os_reason(error)}")

    def close(self) -> None:
        """Remove unpublished temp files, then give the slot up (remove it, then unlock)."""
        try:
            self._held.close()
        finally:
            with contextlib.suppress(OSError):
                self._path.unlink()
            os.close(self._handle)


def published_files(audio: Path, sidecars: tuple[str, ...]) -> list[Path]:
    """The files a render of `audio` with `sidecars` publishes, in order: the commit file last."""
    beside = [audio.with_suffix(f".{s}") for s in sidecars]
    if "json" in sidecars:
        return [*beside[:-1], audio, beside[-1]]
    return [*beside, audio]


def _remove_old(audio: Path, commit: Path, writes_record: bool) -> None:
    """Before an explicit overwrite: the old commit file, a record of the old audio, the audio.

    A record this render does not replace stays unless it describes the audio being replaced
    (a record of another format of the same stem, as the web app keeps, is left alone).
    """
    record = audio.with_suffix(".json")
    if audio.is_file() and not writes_record and record.is_file() \
            and _records(record, audio):
        record.unlink(missing_ok=True)
    commit.unlink(missing_ok=True)
    audio.unlink(missing_ok=True)


def _records(record: Path, audio: Path) -> bool:
    """Whether the render record `record` holds the hash of `audio`."""
    try:
        return json.loads(record.read_text(encoding="utf-8")).get("output_sha256") \
            == file_sha256(audio)
    except (OSError, ValueError, AttributeError):
        return False


def _rename_new(temp: Path, target: Path) -> None:
    """Rename `temp` onto `target`, which must not exist (a hard link: never overwrites)."""
    try:
        os.link(temp, target)
    except FileExistsError as error:
        raise ExportError(f"cannot write {target.name}: it appeared while rendering "
                          "(written by something other than cft-audio)") from error
    except OSError:  # a file system without hard links: the slot is what protects the name
        os.replace(temp, target)
        return
    temp.unlink()


@contextlib.contextmanager
def reserve(target: Path, automatic: bool, sidecars: Iterable[str] = ()) -> Iterator[Slot]:
    """Hold the slot of `target`, or (`automatic`) of the first free `-2`, `-3`… name.

    `target` is the audio path (for an automatic name, the unnumbered one). An automatic
    name is free when its slot can be made and none of its files exists; an explicit one
    waits for a living render of the same stem to finish. OSError becomes ExportError.
    """
    target = Path(target)
    ordered = tuple(s for s in SIDECAR_ORDER if s in set(sidecars))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        sweep_outputs(target.parent)
        slot = _automatic(target, ordered) if automatic else _explicit(target, ordered)
    except OSError as error:
        raise ExportError(f"cannot write to {quoted(str(target.parent))}: "
                          f"{os_reason(error)}") from error
    try:
        yield slot
    finally:
        slot.close()


def _automatic(target: Path, sidecars: tuple[str, ...]) -> Slot:
    """The slot of the first numbered name whose slot is free and whose files do not exist."""
    number = 1
    while True:
        stem = target.stem if number == 1 else f"{target.stem}-{number}"
        audio = target.with_name(stem + target.suffix)
        handle = _create(audio, sidecars)
        if handle is not None:
            slot = Slot(audio, sidecars, handle, automatic=True)
            if not any(p.exists() or p.is_symlink() for p in slot.files()):
                return slot
            slot.close()
        elif _recover(_slot_path(audio)):
            continue  # a killed render's: try the same name again
        number += 1


def _explicit(target: Path, sidecars: tuple[str, ...]) -> Slot:
    """The slot of `target` itself, once no living render holds it."""
    while True:
        handle = _create(target, sidecars)
        if handle is not None:
            return Slot(target, sidecars, handle, automatic=False)
        if not _recover(_slot_path(target), wait=True):
            raise ExportError(f"cannot write {target.name}: another render is writing it")


def _slot_path(audio: Path) -> Path:
    return audio.with_name(f".{audio.stem}{SLOT_SUFFIX}")


def _create(audio: Path, sidecars: tuple[str, ...]) -> int | None:
    """Make the slot file of `audio`, locked and listing its files; None if it exists.

    It is made whole under a temp name and hard-linked into place (an exclusive create that
    never shows a slot not yet locked); where hard links fail, made in place with O_EXCL.
    """
    path, listing = _slot_path(audio), _listing(audio, sidecars)
    handle, name = tempfile.mkstemp(prefix=f"{path.name}.", suffix=MARK + TEMP_SUFFIX,
                                    dir=path.parent)
    try:
        _lock_and_write(handle, listing)
        os.link(name, path)
    except FileExistsError:
        os.close(handle)
        return None
    except OSError:
        os.close(handle)
        return _create_in_place(path, listing)
    finally:
        os.unlink(name)
    return handle


def _create_in_place(path: Path, listing: bytes) -> int | None:
    try:
        handle = os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR | _NOFOLLOW, 0o600)
    except FileExistsError:
        return None
    _lock_and_write(handle, listing)
    return handle


def _lock_and_write(handle: int, listing: bytes) -> None:
    if fcntl is not None:
        fcntl.flock(handle, fcntl.LOCK_EX)
    os.write(handle, listing)


def _listing(audio: Path, sidecars: tuple[str, ...]) -> bytes:
    """What a slot file holds: the names of the files it will publish, commit file last."""
    return json.dumps([p.name for p in published_files(audio, sidecars)]).encode("utf-8")


def sweep_outputs(folder: Path) -> int:
    """Remove what killed renders left in `folder`: temp files and their slots' partial units."""
    removed = sweep_stale(folder)
    try:
        slots = [p for p in Path(folder).iterdir()
                 if p.name.startswith(".") and p.name.endswith(SLOT_SUFFIX)]
    except OSError:
        return removed
    return removed + sum(_recover(path) for path in slots)


def _recover(path: Path, wait: bool = False) -> bool:
    """If no living render holds the slot at `path` (or, `wait`, once none does), undo its
    partial unit and remove it; True if it is gone (recovered, or given up meanwhile)."""
    try:
        handle = os.open(path, os.O_RDONLY | _NOFOLLOW)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    try:
        if not _lock(handle, path, wait):
            return False
        if not _same_file(handle, path):
            return True  # its holder finished and removed it meanwhile
        _undo(path, os.read(handle, 1 << 16))
        path.unlink(missing_ok=True)
        return True
    finally:
        os.close(handle)


def _lock(handle: int, path: Path, wait: bool) -> bool:
    """Take the slot's lock (a dead holder's is free); without locks, go by its age."""
    if fcntl is None:
        return time.time() - os.fstat(handle).st_mtime > STALE_WITHOUT_LOCKS
    if not wait and time.time() - os.fstat(handle).st_mtime < SETTLING_SECONDS:
        return False  # just made: its maker is about to lock it
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError as error:
        if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return False
        raise
    return True


def _same_file(handle: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(handle), os.stat(path, follow_symlinks=False))
    except OSError:
        return False


def _undo(path: Path, listing: bytes) -> None:
    """Remove the files a dead render's slot lists, unless its commit file (the last) exists."""
    try:
        names = [n for n in json.loads(listing.decode("utf-8")) if isinstance(n, str)]
    except ValueError:
        return  # killed before it wrote its listing: it published nothing
    if not names or (path.parent / names[-1]).exists():
        return
    for name in names[:-1]:
        if "/" not in name and name not in (".", ".."):
            with contextlib.suppress(OSError):
                (path.parent / name).unlink()

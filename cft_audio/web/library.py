"""Past renders, read from the JSON render records under the output folder."""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import secrets
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..export.encode import FORMATS
from ..files import atomic_path, private_folder
from ..naming import name_part, setting_of, track_stem
from ..script.catalogue import EXERCISES
from .security import OutsideFolder, safe_path

log = logging.getLogger(__name__)
STATE_FOLDER = ".web"
"""Hidden folder under the output folder for the app's own state (share keys)."""
_SIDECARS = ("json", "vtt", "txt")


@dataclass(frozen=True)
class RenderEntry:
    """One past render: its record, its audio files by format and its sidecars."""

    id: str
    """The record's path under the output folder without `.json` (`2026.../safe-place-short`)."""
    record: Path
    request: dict[str, Any]
    files: dict[str, Path]
    created: datetime.datetime
    data: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def exercise(self) -> str:
        """The exercise id ("custom" for a therapist's own template)."""
        return self.request.get("exercise") or "custom"

    @property
    def title(self) -> str:
        """The exercise's title, or an own template's (the first line of its script, as in
        the file's title tag), as tags and players show it."""
        found = EXERCISES.get(self.exercise)
        if found and not self.request.get("script"):
            return found.title
        path = self.sidecar("txt")
        first = path.read_text(encoding="utf-8").partition("\n")[0].strip() if path else ""
        return first or "Your own script"

    @property
    def form_exercise(self) -> str:
        """The exercise whose form re-renders it: its own, or for an own template the one
        whose personal details (place, image, qualities…) it was made with."""
        if self.exercise in EXERCISES:
            return self.exercise
        personal = frozenset().union(*(e.uses for e in EXERCISES.values()))
        used = {name for name in personal if self.request.get(name)}
        return max(EXERCISES, key=lambda e: (len(EXERCISES[e].uses & used),
                                             -len(EXERCISES[e].uses - used)))

    @property
    def background(self) -> str:
        """The background's name ("own sound" for an uploaded one, "none" for silence)."""
        value = str(self.request.get("background") or "none")
        return "own sound" if "/" in value or "." in value else value.replace("-", " ")

    @property
    def voice(self) -> str:
        """The voice's id."""
        return str(self.request.get("voice") or "")

    @property
    def pace(self) -> str:
        """The pace (speech rate and silence length)."""
        return str(self.request.get("pace") or "")

    @property
    def cover(self) -> Path | None:
        """The uploaded cover kept beside it (None: the generated one)."""
        value = self.request.get("cover")
        if not isinstance(value, str) or not value:
            return None
        path = Path(value)
        return path if _inside(path, self.record.resolve().parent) else None

    @property
    def client(self) -> str:
        """The client's first name, or empty."""
        return str(self.request.get("name") or "")

    @property
    def stem(self) -> Path:
        """The common path of the audio and sidecars, without extension."""
        return self.record.with_suffix("")

    @property
    def setting(self) -> str:
        """The place or image it was made with ("" for exercises that use neither)."""
        return setting_of(self.exercise, self.request)

    @property
    def tone(self) -> str:
        """The voice's tone."""
        return str(self.request.get("tone") or "")

    def sidecar(self, kind: str) -> Path | None:
        """The .vtt or .txt beside the track, if written."""
        path = self.stem.with_suffix(f".{kind}")
        return path if _inside(path, self.record.resolve().parent) else None

    def seconds(self) -> float:
        """The track's length, read from its audio file (0 if unreadable)."""
        import mutagen

        for path in self.files.values():
            try:
                audio = mutagen.File(path)
            except Exception:  # a damaged file has no length to show
                continue
            if audio is not None and audio.info is not None:
                return float(audio.info.length)
        return 0.0

    def script_text(self) -> str:
        """The spoken script, without timing marks (for the client page)."""
        path = self.sidecar("txt")
        if path is None:
            return ""
        lines = path.read_text(encoding="utf-8").splitlines()
        kept = [line for line in lines[1:] if not line.startswith("[")]
        return "\n".join(kept).strip() + "\n"

    def annotated(self) -> str:
        """The script with its real pauses, as the .txt sidecar holds it."""
        path = self.sidecar("txt")
        return path.read_text(encoding="utf-8") if path else ""

    def href(self, path: Path, root: Path) -> str:
        """The path of one of its files relative to the output folder (posix)."""
        return path.resolve().relative_to(root.resolve()).as_posix()


def download_name(entry: RenderEntry, ext: str) -> str:
    """The file name a download of this format or sidecar gets: `download_stem` + `.ext`."""
    return f"{download_stem(entry)}.{ext}"


def download_stem(entry: RenderEntry) -> str:
    """A name that tells versions apart without naming the client (`naming.track_stem`
    with background and voice, then a short tag of the render), shared by every format and
    sidecar of one render: `safe-place-forest-10min-ocean-joe-2026-11-29-3f9a`. An own
    template goes by its file's name (`evening-practice-…`), never by its title, which may
    name the client."""
    version = (entry.background, entry.voice)
    script = entry.request.get("script")
    named = name_part(Path(str(script)).stem) if script else ""
    stem = track_stem(named or entry.exercise, entry.setting, entry.seconds() / 60,
                      entry.created, version)
    return f"{stem}-{hashlib.sha256(entry.id.encode()).hexdigest()[:4]}"


def new_render_folder(root: Path) -> Path:
    """A fresh private folder for one render (its name holds no client data)."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return private_folder(root / f"{stamp}-{secrets.token_hex(3)}", exist_ok=False)


def list_renders(root: Path, query: str = "") -> list[RenderEntry]:
    """Renders under `root` (up to two folders down: batch packs), newest first.

    `query` keeps those whose client name, exercise, place or image, tone, background, voice
    or pace holds every word of it.
    """
    if not root.is_dir():
        return []
    records = [*root.glob("*.json"), *root.glob("*/*.json"), *root.glob("*/*/*.json")]
    entries = []
    for record in records:
        if any(part.startswith(".") for part in record.relative_to(root).parts):
            continue
        entry = _entry(root, record)
        if entry is not None and _matches(entry, query):
            entries.append(entry)
    return sorted(entries, key=lambda e: (e.created, e.id), reverse=True)


def find_render(root: Path, render_id: str) -> RenderEntry:
    """The render with this id; OutsideFolder if the id leaves the folder or names nothing."""
    record = safe_path(root, f"{render_id}.json")
    entry = _entry(root, record)
    if entry is None:
        raise OutsideFolder(render_id)
    return entry


def delete_render(root: Path, entry: RenderEntry) -> list[Path]:
    """Delete a render's audio files and sidecars (and its folder once empty)."""
    removed = []
    for path in [*entry.files.values(),
                 *(entry.stem.with_suffix(f".{s}") for s in _SIDECARS)]:
        if path.is_file():
            path.unlink()
            removed.append(path)
    folder = entry.record.parent
    base = root.resolve()
    if folder.resolve() != base and folder.resolve().is_relative_to(base):
        _remove_if_only_hidden(folder)
    return removed


def _remove_if_only_hidden(folder: Path) -> None:
    """Remove a render's folder if nothing but hidden files is left in it.

    A format job cancelled by the same delete may remove the folder first: that is done too.
    """
    try:
        leftovers = [p for p in folder.iterdir() if not p.name.startswith(".")]
    except FileNotFoundError:
        return
    if not leftovers:
        shutil.rmtree(folder, ignore_errors=True)


def _entry(root: Path, record: Path) -> RenderEntry | None:
    """Read one render record; None for JSON files that are not render records.

    A record whose real path lies outside `root` (a symlinked folder leading elsewhere) or
    that cannot be read is skipped and logged, never shown or served.
    """
    base = root.resolve()
    try:
        stem = record.with_suffix("")
        render_id = stem.resolve().relative_to(base).as_posix()
        if not record.resolve().is_relative_to(base):
            raise ValueError("outside the output folder")
        data = json.loads(record.read_text(encoding="utf-8"))
        created = datetime.datetime.fromtimestamp(record.stat().st_mtime)
    except (OSError, ValueError, RuntimeError) as error:
        log.warning("library: skipped %s (%s)", _shown(root, record), error)
        return None
    if not isinstance(data, dict) or not isinstance(data.get("request"), dict):
        return None
    files = {fmt: stem.with_suffix(f".{fmt}") for fmt in FORMATS
             if _inside(stem.with_suffix(f".{fmt}"), base)}
    if not files:
        return None
    return RenderEntry(render_id, record, data["request"], files, created, data)


def _inside(path: Path, base: Path) -> bool:
    """Whether `path` is a file whose real path is inside `base`."""
    try:
        return path.is_file() and path.resolve().is_relative_to(base)
    except (OSError, RuntimeError):
        return False


def _shown(root: Path, path: Path) -> str:
    """A path for the log, relative to the output folder where it can be."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def _matches(entry: RenderEntry, query: str) -> bool:
    """Whether every word of the query is in the client's name, exercise, place or image, tone,
    background, voice or pace."""
    haystack = (f"{entry.client} {entry.exercise} {entry.title} {entry.setting} {entry.tone} "
                f"{entry.background} {entry.voice} {entry.pace}")
    haystack = haystack.lower()
    return all(word in haystack for word in query.lower().split())


class Shares:
    """Share keys for client pages: an unguessable key per render, kept in the output folder."""

    def __init__(self, root: Path):
        self.path = root / STATE_FOLDER / "shares.json"
        self._lock = threading.Lock()

    def key_for(self, render_id: str) -> str:
        """The render's share key (made on first use)."""
        with self._lock:
            shares = self._load()
            for key, target in shares.items():
                if target == render_id:
                    return key
            key = secrets.token_urlsafe(16)
            shares[key] = render_id
            self._save(shares)
            return key

    def render_for(self, key: str) -> str | None:
        """The render a share key opens, or None."""
        with self._lock:
            shares = self._load()
        for known, target in shares.items():
            if secrets.compare_digest(known.encode(), key.encode()):
                return target
        return None

    def forget(self, render_id: str) -> None:
        """Drop the share key of a deleted render."""
        with self._lock:
            shares = {k: v for k, v in self._load().items() if v != render_id}
            self._save(shares)

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def _save(self, shares: dict[str, str]) -> None:
        private_folder(self.path.parent)
        with atomic_path(self.path) as temp:
            temp.write_text(json.dumps(shares, indent=2), encoding="utf-8")

"""Kept practice logs: one owner-only JSON file each under the output folder's `.web/practice/`.

Hidden like the app's other state (never served by `/files/`), each matched to the renders
its key names, and deleted by its own button or with the last recording it belongs to.
"""

from __future__ import annotations

import datetime
import json
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from ..errors import PracticeLogError
from ..files import atomic_path, private_folder
from ..practice import PracticeLog, as_json, check_log
from .library import STATE_FOLDER, RenderEntry

_ID = re.compile(r"[0-9a-f]{16}")


@dataclass(frozen=True)
class StoredLog:
    """A log as the app keeps it: its id, when it was uploaded, the checked log."""

    id: str
    uploaded: datetime.datetime
    log: PracticeLog


class PracticeLogs:
    """The uploaded logs, one owner-only JSON file each under `.web/practice/`."""

    def __init__(self, root: Path):
        self.folder = root / STATE_FOLDER / "practice"

    def add(self, log: PracticeLog) -> StoredLog:
        """Keep a checked log (written to a temp file, then renamed); its new id."""
        stored = StoredLog(secrets.token_hex(8), datetime.datetime.now(datetime.timezone.utc),
                           log)
        private_folder(self.folder)
        body = {"uploaded": stored.uploaded.isoformat(), "log": as_json(log)}
        with atomic_path(self._path(stored.id)) as temp:
            temp.write_text(json.dumps(body, indent=1), encoding="utf-8")
        return stored

    def get(self, log_id: str) -> StoredLog | None:
        """The kept log with this id, or None."""
        if not _ID.fullmatch(log_id):
            return None
        try:
            body = json.loads(self._path(log_id).read_text(encoding="utf-8"))
            uploaded = datetime.datetime.fromisoformat(body["uploaded"])
            return StoredLog(log_id, uploaded, check_log(body["log"], now=uploaded))
        except (OSError, ValueError, KeyError, TypeError, PracticeLogError):
            return None

    def all(self) -> list[StoredLog]:
        """Every kept log, newest upload first."""
        found = [self.get(p.stem) for p in self.folder.glob("*.json")] \
            if self.folder.is_dir() else []
        return sorted((s for s in found if s), key=lambda s: s.uploaded, reverse=True)

    def delete(self, log_id: str) -> bool:
        """Delete one kept log; whether it was there."""
        if not _ID.fullmatch(log_id):
            return False
        try:
            self._path(log_id).unlink()
        except FileNotFoundError:
            return False
        return True

    def forget_for(self, render_id: str, remaining: list[RenderEntry]) -> int:
        """Delete the logs that matched a deleted render and now match none; how many."""
        gone = 0
        for stored in self.all():
            if matches(stored.log, render_id) and not matching(stored.log, remaining):
                gone += self.delete(stored.id)
        return gone

    def _path(self, log_id: str) -> Path:
        return self.folder / f"{log_id}.json"


def matches(log: PracticeLog, render_id: str) -> bool:
    """Whether a render belongs to the log's recording (its id) or pack (its folder)."""
    if log.source.kind == "recording":
        return render_id == log.source.key
    folder = render_id.rpartition("/")[0]
    return folder == log.source.key or folder.endswith("/" + log.source.key)


def matching(log: PracticeLog, entries: list[RenderEntry]) -> list[RenderEntry]:
    """The renders the log belongs to."""
    return [e for e in entries if matches(log, e.id)]



"""Files chosen on a render form that did not go through, held server-side for that one form.

When a submit fails (a problem in another field, a full queue), the good files are not
dropped: they are moved into a private holding folder (owner only, under a random name)
tied to the form's random id and to the session's CSRF token, so only the same form in
the same browser session can use them again. A holding is removed when its form goes
through, when it is not used for `HOLD_SECONDS`, and when the server stops.
"""

from __future__ import annotations

import secrets
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..files import private_folder
from .library import STATE_FOLDER

HOLD_SECONDS = 3600.0
"""A holding not used for this long is removed (an abandoned form)."""


@dataclass(frozen=True)
class HeldFile:
    """One held file: where it is and the name the therapist chose it under."""

    path: Path
    shown: str


@dataclass(frozen=True)
class _Holding:
    owner: str
    folder: Path
    files: dict[str, HeldFile]
    used: float


def new_form_id() -> str:
    """A fresh, unguessable id for one render form."""
    return secrets.token_urlsafe(18)


class HeldFiles:
    """The holdings of every open form, by form id (thread-safe)."""

    def __init__(self, root: Path, clock=time.monotonic):
        self.folder = root / STATE_FOLDER / "held"
        self._clock = clock
        self._lock = threading.Lock()
        self._holdings: dict[str, _Holding] = {}
        shutil.rmtree(self.folder, ignore_errors=True)  # left by a server that was killed

    def files(self, form_id: str, owner: str) -> dict[str, HeldFile]:
        """The files held for this form (by upload input name); {} for any other session."""
        with self._lock:
            self._expire()
            holding = self._holdings.get(form_id)
            if holding is None or not owner or not secrets.compare_digest(holding.owner, owner):
                return {}
            self._holdings[form_id] = _Holding(holding.owner, holding.folder, holding.files,
                                               self._clock())
            return dict(holding.files)

    def hold(self, form_id: str, owner: str, chosen: dict[str, HeldFile]) -> dict[str, HeldFile]:
        """Hold copies of `chosen` (by input name) for this form, in place of what it held."""
        if not form_id or not owner:
            return {}
        self.release(form_id)
        if not chosen:
            return {}
        private_folder(self.folder)
        folder = private_folder(self.folder / secrets.token_hex(12), exist_ok=False)
        kept = {}
        for name, held in chosen.items():
            copy = folder / name / held.path.name
            private_folder(copy.parent, exist_ok=False)
            shutil.copyfile(held.path, copy)
            copy.chmod(0o600)
            kept[name] = HeldFile(copy, held.shown)
        with self._lock:
            self._holdings[form_id] = _Holding(owner, folder, kept, self._clock())
        return dict(kept)

    def release(self, form_id: str) -> None:
        """Remove a form's holding (it went through, or holds something else now)."""
        with self._lock:
            holding = self._holdings.pop(form_id, None)
        if holding is not None:
            shutil.rmtree(holding.folder, ignore_errors=True)

    def close(self) -> None:
        """Remove every holding (the server stops)."""
        with self._lock:
            self._holdings.clear()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _expire(self) -> None:
        """Drop holdings not used for HOLD_SECONDS (called with the lock held)."""
        now = self._clock()
        for form_id, holding in list(self._holdings.items()):
            if now - holding.used > HOLD_SECONDS:
                del self._holdings[form_id]
                shutil.rmtree(holding.folder, ignore_errors=True)
